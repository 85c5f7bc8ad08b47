package io.scaleblocks.lb;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passive outlier detection for one balancer, after Envoy's: counts each endpoint's outcomes,
 * ejects on consecutive failures at once or on the failure rate of an interval, returns ejected
 * endpoints when their time is up, and keeps the number ejected at once under the cap.
 *
 * <p>Outcomes are counted lock-free. Ejection and return change routing, so they run under the
 * balancer's lock (the methods marked "guarded"); the count of ejected endpoints is kept apart,
 * so once the cap is reached a failing call does not take the lock at all.
 */
final class OutlierTracker<T> {

  private static final Logger log = LoggerFactory.getLogger(OutlierTracker.class);

  private final String name;
  private final OutlierDetection detection;
  private final AtomicInteger ejectedNow = new AtomicInteger();
  private long lastSweep;

  OutlierTracker(String name, OutlierDetection detection, long now) {
    this.name = name;
    this.detection = detection;
    this.lastSweep = now;
  }

  /**
   * Counts one outcome of {@code state}.
   *
   * @return whether the endpoint should be ejected now (then call {@link #eject} under the lock)
   */
  boolean record(EndpointState<T> state, boolean success, int members) {
    state.windowCalls.incrementAndGet();
    if (success) {
      if (state.consecutiveFailures.get() != 0) {
        state.consecutiveFailures.set(0);
      }
      return false;
    }
    state.windowFailures.incrementAndGet();
    int failures = state.consecutiveFailures.incrementAndGet();
    return failures >= detection.consecutiveFailures() && !state.ejected
        && ejectedNow.get() < cap(members);
  }

  /** Ejects {@code state} if the cap allows; guarded. Queues the event on {@code events}. */
  boolean eject(EndpointState<T> state, String reason, long now, int members,
      Consumer<Consumer<LoadBalancerListener<T>>> events) {
    if (state.ejected || state.removed) {
      return false;
    }
    int ejected = ejectedNow.get();
    if (ejected >= cap(members)) {
      log.debug("{} - not ejecting {} ({}): {} of {} already ejected", name,
          state.endpoint.id(), reason, ejected, members);
      return false;
    }
    int ejections = state.ejections + 1;
    long nanos = detection.ejectionNanos(ejections);
    state.ejections = ejections;
    state.ejectedUntil = now + nanos;
    state.ejected = true;
    ejectedNow.incrementAndGet();
    Duration duration = Duration.ofNanos(nanos);
    Endpoint<T> endpoint = state.endpoint;
    log.info("{} - ejecting {} for {} after {}", name, endpoint.id(), duration, reason);
    events.accept(listener -> listener.onEjection(endpoint, duration));
    return true;
  }

  /** Whether {@code state}'s ejection is over; guarded. */
  boolean returnDue(EndpointState<T> state, long now) {
    return state.ejected && now - state.ejectedUntil >= 0;
  }

  /**
   * Returns {@code state} to rotation; guarded. Start its slow-start ramp first: readers of
   * {@code status()} take no lock, and must not see it back without its ramp.
   */
  void returnToRotation(EndpointState<T> state) {
    state.consecutiveFailures.set(0);
    unejected(state);
    log.info("{} - {} returns after ejection", name, state.endpoint.id());
  }

  /** {@code state} leaves the group or rejoins it, no longer ejected; guarded. */
  void unejected(EndpointState<T> state) {
    if (state.ejected) {
      state.ejected = false;
      ejectedNow.decrementAndGet();
    }
  }

  /** At the end of an interval, ejects on failure rates; guarded. */
  boolean sweepIfDue(Iterable<EndpointState<T>> states, long now, int members,
      Consumer<Consumer<LoadBalancerListener<T>>> events) {
    if (now - lastSweep < detection.interval().toNanos()) {
      return false;
    }
    lastSweep = now;
    boolean changed = false;
    for (EndpointState<T> state : states) {
      long calls = state.windowCalls.getAndSet(0);
      long failures = state.windowFailures.getAndSet(0);
      if (state.ejected) {
        continue;
      }
      if (calls >= detection.minimumRequests()
          && failures >= detection.failureRateThreshold() * calls) {
        changed |= eject(state, failures + " of " + calls + " calls failed", now, members, events);
      } else if (state.ejections > 0
          && now - state.ejectedUntil >= detection.interval().toNanos()) {
        state.ejections--;
      }
    }
    return changed;
  }

  private int cap(int members) {
    return Math.max(1, members * detection.maxEjectionPercent() / 100);
  }
}
