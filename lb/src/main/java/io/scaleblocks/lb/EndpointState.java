package io.scaleblocks.lb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The mutable life of one endpoint inside one balancer: in-flight calls, health verdicts,
 * ejections, slow-start ramp. Counters are atomics written by callers; the fields marked
 * "guarded" are written only under the balancer's lock and read by snapshot builds.
 *
 * <p>One state lives as long as its address has calls in flight or is a member: an address that
 * leaves with calls running and comes back gets its old state back ({@link #rejoin}), so the
 * calls that finish later are subtracted from the count they were added to.
 */
final class EndpointState<T> {

  static final long NOT_RAMPING = Long.MIN_VALUE;

  volatile Endpoint<T> endpoint;
  /** Calls in flight; a plain field behind a VarHandle, one load for least-request picks. */
  volatile int inFlight;

  // passive outlier detection
  final AtomicInteger consecutiveFailures = new AtomicInteger();
  final AtomicLong windowCalls = new AtomicLong();
  final AtomicLong windowFailures = new AtomicLong();
  /** Guarded. */
  volatile boolean ejected;
  /** Guarded. */
  long ejectedUntil;
  /** Guarded: ejections in a row, lowered by one per interval spent in rotation. */
  volatile int ejections;

  // active health checking: probe results are written by the one probe chain of this endpoint
  volatile boolean healthy = true;
  int probeSuccesses;
  int probeFailures;
  /** The probe chain that may run: a chain whose number is not this one ends. */
  final AtomicInteger probeChain = new AtomicInteger();
  /** The last probe started, which may still be running past its timeout. */
  volatile Future<Boolean> runningProbe;
  volatile boolean removed;

  /** Guarded: when the slow-start ramp began, or {@link #NOT_RAMPING}. */
  volatile long rampStart = NOT_RAMPING;

  private static final VarHandle IN_FLIGHT;

  static {
    try {
      IN_FLIGHT = MethodHandles.lookup()
          .findVarHandle(EndpointState.class, "inFlight", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  EndpointState(Endpoint<T> endpoint) {
    this.endpoint = endpoint;
  }

  void callStarted() {
    IN_FLIGHT.getAndAdd(this, 1);
  }

  /**
   * One call less in flight; never below zero (a call that started on a state that had already
   * left is not counted in the first place).
   *
   * @return the calls still in flight
   */
  int callFinished() {
    while (true) {
      int current = inFlight;
      if (current <= 0) {
        return 0;
      }
      if (IN_FLIGHT.compareAndSet(this, current, current - 1)) {
        return current - 1;
      }
    }
  }

  /** Back in the group after leaving it: a fresh history, the same in-flight count. Guarded. */
  void rejoin(Endpoint<T> member) {
    endpoint = member;
    ejected = false;
    ejections = 0;
    consecutiveFailures.set(0);
    windowCalls.set(0);
    windowFailures.set(0);
    healthy = true;
    synchronized (this) {
      probeSuccesses = 0;
      probeFailures = 0;
    }
    rampStart = NOT_RAMPING;
    removed = false;
  }

  /** The slow-start weight factor at {@code now}: 1 outside a ramp or without slow start. */
  double rampFactor(SlowStart slowStart, long now) {
    long start = rampStart;
    if (slowStart == null || start == NOT_RAMPING) {
      return 1.0;
    }
    return slowStart.factor(now - start);
  }

  boolean available() {
    return healthy && !ejected;
  }
}
