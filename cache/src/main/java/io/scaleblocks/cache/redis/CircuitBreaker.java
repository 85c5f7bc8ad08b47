package io.scaleblocks.cache.redis;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consecutive-failure circuit breaker: after {@code threshold} failures in a row it opens and
 * refuses calls for {@code openNanos}; then it lets one trial call through (half-open), which
 * closes it on success or opens it again on failure. Lock-free and thread-safe; logs only on
 * state changes.
 */
final class CircuitBreaker {

  private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);

  /** The breaker's states. */
  enum State { CLOSED, OPEN, HALF_OPEN }

  private record Status(State state, long since) {}

  private final String name;
  private final int threshold;
  private final long openNanos;
  private final LongSupplier ticker;
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicReference<Status> status;

  CircuitBreaker(String name, int threshold, long openNanos, LongSupplier ticker) {
    this.name = name;
    this.threshold = threshold;
    this.openNanos = openNanos;
    this.ticker = ticker;
    this.status = new AtomicReference<>(new Status(State.CLOSED, ticker.getAsLong()));
  }

  /** Whether a call may go ahead now; in half-open state only the first asker may. */
  boolean tryAcquire() {
    Status current = status.get();
    if (current.state == State.CLOSED) {
      return true;
    }
    // A trial call that never reported back (a hung call, a lost thread) does not hold the
    // breaker half-open for good: after another open period, the next caller tries again.
    if (current.state != State.CLOSED && ticker.getAsLong() - current.since >= openNanos) {
      return status.compareAndSet(current, new Status(State.HALF_OPEN, ticker.getAsLong()));
    }
    return false;
  }

  void onSuccess() {
    failures.set(0);
    Status current = status.get();
    if (current.state != State.CLOSED && status.compareAndSet(current, new Status(State.CLOSED, ticker.getAsLong()))) {
      LOG.info("{} - circuit closed: the backend answers again", name);
    }
  }

  void onFailure(Throwable cause) {
    Status current = status.get();
    if (current.state == State.HALF_OPEN || failures.incrementAndGet() >= threshold) {
      if (current.state != State.OPEN && status.compareAndSet(current, new Status(State.OPEN, ticker.getAsLong()))) {
        LOG.warn("{} - circuit open for {} ms after {} failures: {}", name, openNanos / 1_000_000,
            failures.get(), cause.toString());
      }
    }
  }

  State state() {
    return status.get().state;
  }
}
