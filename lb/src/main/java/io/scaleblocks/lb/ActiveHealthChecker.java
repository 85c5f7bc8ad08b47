package io.scaleblocks.lb;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link ActiveHealthCheck} for one balancer: each endpoint has one probe chain (probe,
 * wait interval plus jitter, probe again) that ends when the endpoint leaves the group. Probes
 * run on their own daemon threads, since they block up to their timeout; the scheduler only
 * times them. Verdicts go to the balancer, which rebuilds its snapshot on a change.
 */
final class ActiveHealthChecker<T> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ActiveHealthChecker.class);

  private final String name;
  private final ActiveHealthCheck check;
  private final HealthAwareLoadBalancer<T> balancer;
  private ScheduledExecutorService scheduler;
  private ExecutorService probes;
  private volatile boolean closed;

  ActiveHealthChecker(String name, ActiveHealthCheck check, HealthAwareLoadBalancer<T> balancer) {
    this.name = name;
    this.check = check;
    this.balancer = balancer;
  }

  void start() {
    AtomicInteger threads = new AtomicInteger();
    scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable,
        "scaleblocks-lb-" + name + "-health"));
    probes = Executors.newCachedThreadPool(runnable -> daemon(runnable,
        "scaleblocks-lb-" + name + "-probe-" + threads.incrementAndGet()));
    for (EndpointState<T> state : balancer.states()) {
      watch(state);
    }
  }

  /** Starts the probe chain of a new endpoint, first probe after a random part of an interval. */
  void watch(EndpointState<T> state) {
    if (closed || state.probing || scheduler == null) {
      return;
    }
    state.probing = true;
    long first = ThreadLocalRandom.current().nextLong(Math.max(1, check.interval().toNanos()));
    schedule(state, first);
  }

  /** Probes every endpoint once, now, on the calling thread. */
  void checkAllNow() {
    for (EndpointState<T> state : balancer.states()) {
      probe(state);
    }
  }

  private void schedule(EndpointState<T> state, long delayNanos) {
    if (closed || state.removed) {
      return;
    }
    try {
      scheduler.schedule(() -> probes.execute(() -> {
        probe(state);
        long jitter = check.jitter().isZero()
            ? 0 : ThreadLocalRandom.current().nextLong(check.jitter().toNanos() + 1);
        schedule(state, check.interval().toNanos() + jitter);
      }), delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      if (!closed) {
        throw e;
      }
    }
  }

  private void probe(EndpointState<T> state) {
    if (state.removed) {
      return;
    }
    boolean ok;
    long started = System.nanoTime();
    try {
      ok = check.probe().check(state.endpoint, check.timeout())
          && System.nanoTime() - started <= check.timeout().toNanos();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      log.debug("{} - probe of {} failed", name, state.endpoint.id(), e);
      ok = false;
    }
    record(state, ok);
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
