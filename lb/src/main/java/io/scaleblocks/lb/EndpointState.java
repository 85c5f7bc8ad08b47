package io.scaleblocks.lb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The mutable life of one endpoint inside one balancer: in-flight calls, health verdicts,
 * ejections, slow-start ramp. Counters are atomics written by callers; the fields marked
 * "guarded" are written only under the balancer's lock and read by snapshot builds.
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

  // active health checking: probe results are written by the one probe task of this endpoint
  volatile boolean healthy = true;
  int probeSuccesses;
  int probeFailures;
  volatile boolean probing;
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

  void addInFlight(int delta) {
    IN_FLIGHT.getAndAdd(this, delta);
  }

  EndpointState(Endpoint<T> endpoint) {
    this.endpoint = endpoint;
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
