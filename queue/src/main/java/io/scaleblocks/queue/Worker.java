package io.scaleblocks.queue;

import static io.scaleblocks.config.Checks.positive;

import io.scaleblocks.queue.internal.Names;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link MessageHandler} over one group of one topic: a poller thread leases at most
 * {@code concurrency} messages at a time and hands each to the executor (pass
 * {@code Executors.newVirtualThreadPerTaskExecutor()} on Java 21+ for virtual threads); a handler
 * that returns acknowledges its message, one that throws nacks it with an exponential back-off by
 * delivery count ({@code initialBackoff × 2^(deliveries-1)}, at most {@code maxBackoff}), so that
 * after {@link QueueConfig#maxDeliveries()} it is dead-lettered with the exception as reason. An
 * {@link Error} is handled like an exception (nacked with it as reason); a
 * {@link VirtualMachineError} is rethrown on the handler's thread after the nack.
 *
 * <p>{@link #shutdown(Duration)} stops leasing, lets the handlers running finish until the deadline
 * and gives the messages of those still running back to the queue (a nack without delay); a handler
 * that finishes after that does not acknowledge, and one that had not started by then (queued on
 * a busy executor the caller passed) does not run; a message that a poll still out leases after
 * shutdown began is given back without a handler. Handlers on the worker's own pool are then
 * interrupted; on an executor the caller passed, they are the caller's to stop. A message is acknowledged or given back exactly
 * once by a worker. Thread-safe.
 */
public final class Worker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
  private static final AtomicInteger IDS = new AtomicInteger();

  private final MessageQueue queue;
  private final String topic;
  private final String group;
  private final String consumer;
  private final MessageHandler handler;
  private final Executor executor;
  private final ExecutorService ownExecutor;
  private final int concurrency;
  private final Duration pollWait;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Semaphore permits;
  private final Map<Message, Boolean> running = new ConcurrentHashMap<>();
  private final Thread poller;
  private volatile boolean stopping;

  private Worker(Builder b) {
    queue = b.queue;
    topic = b.topic;
    group = b.group;
    consumer = b.consumer;
    handler = Objects.requireNonNull(b.handler, "handler must be set");
    concurrency = b.concurrency;
    pollWait = b.pollWait;
    initialBackoff = b.initialBackoff;
    maxBackoff = b.maxBackoff;
    permits = new Semaphore(concurrency);
    if (b.executor == null) {
      ownExecutor = Executors.newFixedThreadPool(concurrency, r -> {
        Thread t = new Thread(r, consumer + "-handler");
        t.setDaemon(true);
        return t;
      });
      executor = ownExecutor;
    } else {
      ownExecutor = null;
      executor = b.executor;
    }
    poller = new Thread(this::pollLoop, consumer + "-poller");
    poller.setDaemon(true);
  }

  public static Builder builder(MessageQueue queue, String topic, String group) {
    return new Builder(queue, topic, group);
  }

  private Worker start() {
    poller.start();
    return this;
  }

  private void pollLoop() {
    while (!stopping) {
      int n = 0;
      try {
        permits.acquire();
        n = 1 + drainPermits(concurrency - 1);
        List<Message> got = queue.poll(topic, group, consumer, n, pollWait);
        permits.release(n - got.size());
        n = 0;
        got.forEach(this::dispatch);
      } catch (InterruptedException e) {
        permits.release(n);
        return;
      } catch (RuntimeException e) {
        permits.release(n);
        if (stopping) {
          return;
        }
        LOG.warn("{} - polling {}/{} failed, retrying: {}", consumer, topic, group, e.toString());
        pause();
      }
    }
  }

  private int drainPermits(int max) {
    int n = 0;
    while (n < max && permits.tryAcquire()) {
      n++;
    }
    return n;
  }

  private void dispatch(Message m) {
    running.put(m, Boolean.TRUE);
    // a poll can outlive shutdown (on Redis an interrupt does not end one waiting in XREADGROUP):
    // what it leased then goes back instead of to a handler; checked after the put, so either this
    // or shutdown's own give-back sees the message
    if (stopping) {
      if (running.remove(m) != null) {
        giveBack(m, Duration.ZERO, "worker shut down before the handler started");
      }
      permits.release();
      return;
    }
    try {
      executor.execute(() -> handle(m));
    } catch (RejectedExecutionException e) {
      if (running.remove(m) != null) {
        giveBack(m, Duration.ZERO, "executor rejected the handler: " + e);
      }
      permits.release();
    }
  }

  private void handle(Message m) {
    if (!running.containsKey(m)) {
      // queued on the caller's executor until after shutdown gave the message back: another
      // consumer may hold it already
      permits.release();
      return;
    }
    Throwable failure = null;
    try {
      handler.handle(m);
    } catch (Throwable t) {
      failure = t; // an Error too: the message must not stay leased and counted in flight
    }
    try {
      settle(m, failure);
    } finally {
      permits.release();
    }
    if (failure instanceof VirtualMachineError e) {
      throw e;
    }
  }

  private void settle(Message m, Throwable failure) {
    if (running.remove(m) == null) {
      return; // shutdown gave it back already
    }
    try {
      if (failure == null) {
        queue.ack(m);
      } else {
        giveBack(m, backoff(m.deliveryCount()), "handler failed: " + failure);
      }
    } catch (RuntimeException e) {
      LOG.warn("{} - settling {} failed; it comes back after its lease: {}", consumer, m, e.toString());
    }
  }

  Duration backoff(int deliveries) {
    int shift = Math.min(30, Math.max(0, deliveries - 1));
    Duration d = initialBackoff.multipliedBy(1L << shift);
    return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
  }

  private void giveBack(Message m, Duration delay, String reason) {
    try {
      queue.nack(m, delay, reason);
    } catch (RuntimeException e) {
      LOG.warn("{} - nack of {} failed; it comes back after its lease: {}", consumer, m, e.toString());
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Handlers running now. */
  public int inFlight() {
    return running.size();
  }

  /**
   * Stops leasing, waits up to {@code deadline} for running handlers, gives the messages of those
   * still running back; returns whether every handler finished in time.
   */
  public boolean shutdown(Duration deadline) {
    stopping = true;
    poller.interrupt();
    long end = System.nanoTime() + deadline.toNanos();
    try {
      poller.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
      // handlers and their ack or nack hold a permit: wait for all of them, not just the handlers
      while (permits.availablePermits() < concurrency && System.nanoTime() < end) {
        Thread.sleep(5);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    boolean clean = true;
    for (Message m : running.keySet()) {
      if (running.remove(m) != null) {
        clean = false;
        giveBack(m, Duration.ZERO, "worker shut down before the handler finished");
      }
    }
    if (ownExecutor != null) {
      ownExecutor.shutdownNow();
    }
    return clean;
  }

  /** {@link #shutdown(Duration)} with 30 seconds. */
  @Override
  public void close() {
    shutdown(Duration.ofSeconds(30));
  }

  /** Fail-fast settings of a worker. Not thread-safe. */
  public static final class Builder {
    public static final int DEFAULT_CONCURRENCY = 4;
    public static final Duration DEFAULT_POLL_WAIT = Duration.ofMillis(500);
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);

    private final MessageQueue queue;
    private final String topic;
    private final String group;
    private String consumer;
    private MessageHandler handler;
    private Executor executor;
    private int concurrency = DEFAULT_CONCURRENCY;
    private Duration pollWait = DEFAULT_POLL_WAIT;
    private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;

    private Builder(MessageQueue queue, String topic, String group) {
      this.queue = Objects.requireNonNull(queue, "queue");
      this.topic = Names.checkTopic(topic);
      this.group = Names.check("group", group);
      this.consumer = defaultConsumer(group, IDS.incrementAndGet());
    }

    /** {@code group-n}, the group's name cut short if needed so that it is a valid name too. */
    private static String defaultConsumer(String group, long n) {
      String suffix = "-" + n;
      return group.substring(0, Math.min(group.length(), 100 - suffix.length())) + suffix;
    }

    public Builder handler(MessageHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** Where handlers run; by default a pool of {@code concurrency} threads that the worker owns. */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Messages handled at once, at most. */
    public Builder concurrency(int concurrency) {
      if (concurrency < 1 || concurrency > 10_000) {
        throw new IllegalArgumentException(
            "concurrency must be between 1 and 10000 but was " + concurrency);
      }
      this.concurrency = concurrency;
      return this;
    }

    public Builder consumerName(String consumer) {
      this.consumer = Names.check("consumer", consumer);
      return this;
    }

    /** How long one poll waits for messages. */
    public Builder pollWait(Duration wait) {
      this.pollWait = positive("poll wait", wait);
      return this;
    }

    /** Back-off of a failed message: {@code initial × 2^(deliveries-1)}, at most {@code max}. */
    public Builder backoff(Duration initial, Duration max) {
      positive("initial backoff", initial);
      positive("max backoff", max);
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("max backoff must be >= initial backoff (" + initial
            + ") but was " + max);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** Starts polling. */
    public Worker start() {
      return new Worker(this).start();
    }
  }
}
