package io.scaleblocks.lb;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link ActiveHealthCheck} for one balancer: each endpoint has one probe chain (probe,
 * wait interval plus jitter, probe again) that ends when the endpoint leaves the group. The
 * checker owns the timeout: each probe runs on a probe thread while the chain waits at most the
 * timeout for it; a probe still running then is interrupted and counts as a failure, and until
 * it returns the endpoint's next probes fail at once instead of starting another (so a probe that
 * ignores interrupts holds one thread, not one per interval). The next probe is scheduled in a
 * {@code finally}, whatever the probe or the balancer threw. So an endpoint's verdict changes
 * within {@code threshold * (interval + jitter + timeout)} of its server's.
 *
 * <p>Thread-safe. Starting a chain twice for one endpoint (a membership change racing
 * {@link #start}) is harmless: a chain runs only while it is the endpoint's latest.
 */
final class ActiveHealthChecker<T> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ActiveHealthChecker.class);

  private final String name;
  private final ActiveHealthCheck check;
  private final HealthAwareLoadBalancer<T> balancer;
  private volatile ScheduledExecutorService scheduler;
  private volatile ExecutorService probes;
  private volatile boolean closed;

  ActiveHealthChecker(String name, ActiveHealthCheck check, HealthAwareLoadBalancer<T> balancer) {
    this.name = name;
    this.check = check;
    this.balancer = balancer;
  }

  void start() {
    AtomicInteger threads = new AtomicInteger();
    probes = Executors.newCachedThreadPool(runnable -> daemon(runnable,
        "scaleblocks-lb-" + name + "-probe-" + threads.incrementAndGet()));
    scheduler = Executors.newScheduledThreadPool(1, runnable -> daemon(runnable,
        "scaleblocks-lb-" + name + "-health"));
    for (EndpointState<T> state : balancer.states()) {
      watch(state);
    }
  }

  /**
   * Starts the probe chain of a member, first probe after a random part of an interval; a chain
   * it already had ends at its next step. Does nothing before {@link #start}, which watches
   * every member.
   */
  void watch(EndpointState<T> state) {
    if (closed || scheduler == null) {
      return;
    }
    int chain = state.probeChain.incrementAndGet();
    long first = ThreadLocalRandom.current().nextLong(Math.max(1, check.interval().toNanos()));
    schedule(state, chain, first);
  }

  /** Probes every endpoint once, now, on the calling thread (each within the timeout). */
  void checkAllNow() {
    for (EndpointState<T> state : balancer.states()) {
      try {
        probeAndRecord(state);
      } catch (RuntimeException e) {
        log.warn("{} - health check of {} failed", name, state.endpoint.id(), e);
      }
    }
  }

  private void schedule(EndpointState<T> state, int chain, long delayNanos) {
    if (closed || state.removed || state.probeChain.get() != chain) {
      return;
    }
    try {
      scheduler.schedule(() -> probes.execute(() -> step(state, chain)),
          delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      if (!closed) {
        log.warn("{} - could not schedule the health check of {}", name, state.endpoint.id(), e);
      }
    }
  }

  private void step(EndpointState<T> state, int chain) {
    try {
      if (state.probeChain.get() == chain) {
        probeAndRecord(state);
      }
    } catch (RuntimeException | Error e) {
      log.warn("{} - health check of {} failed", name, state.endpoint.id(), e);
    } finally {
      long jitter = check.jitter().isZero()
          ? 0 : ThreadLocalRandom.current().nextLong(check.jitter().toNanos() + 1);
      schedule(state, chain, check.interval().toNanos() + jitter);
    }
  }

  private void probeAndRecord(EndpointState<T> state) {
    if (state.removed || closed) {
      return;
    }
    Boolean ok = probe(state);
    if (ok != null) {
      record(state, ok);
    }
  }

  /** The probe's verdict within the timeout, or null when interrupted (no verdict). */
  private Boolean probe(EndpointState<T> state) {
    Future<Boolean> running = state.runningProbe;
    if (running != null && !running.isDone()) {
      return false;
    }
    Endpoint<T> endpoint = state.endpoint;
    try {
      running = probes.submit(() -> check.probe().check(endpoint, check.timeout()));
    } catch (RejectedExecutionException e) {
      return null;
    }
    state.runningProbe = running;
    try {
      return running.get(check.timeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      running.cancel(true);
      log.debug("{} - probe of {} took longer than {}", name, endpoint.id(), check.timeout());
      return false;
    } catch (ExecutionException | CancellationException e) {
      log.debug("{} - probe of {} failed", name, endpoint.id(), e);
      return false;
    } catch (InterruptedException e) {
      running.cancel(true);
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void record(EndpointState<T> state, boolean ok) {
    boolean verdict;
    synchronized (state) {
      if (ok) {
        state.probeFailures = 0;
        state.probeSuccesses++;
        if (state.healthy || state.probeSuccesses < check.healthyThreshold()) {
          return;
        }
        verdict = true;
      } else {
        state.probeSuccesses = 0;
        state.probeFailures++;
        if (!state.healthy || state.probeFailures < check.unhealthyThreshold()) {
          return;
        }
        verdict = false;
      }
    }
    balancer.healthChanged(state, verdict);
  }

  @Override
  public void close() {
    closed = true;
    if (scheduler != null) {
      scheduler.shutdownNow();
      probes.shutdownNow();
    }
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    return thread;
  }
}
