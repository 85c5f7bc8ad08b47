package io.scaleblocks.lb;

/**
 * The slow-start ramps of one balancer's endpoints: an endpoint that joins after the start, or
 * returns from unhealthy or ejected, ramps its weight up over the window. Guarded by the
 * balancer's lock; without slow start every method does nothing.
 */
final class SlowStartRamps {

  private final SlowStart slowStart;

  SlowStartRamps(SlowStart slowStart) {
    this.slowStart = slowStart;
  }

  void start(EndpointState<?> state, long now) {
    if (slowStart != null) {
      state.rampStart = now;
    }
  }

  /**
   * Ends the ramps whose window is over.
   *
   * @return whether a ramp ended or is still running (either needs a rebuild)
   */
  boolean advance(Iterable<? extends EndpointState<?>> states, long now) {
    if (slowStart == null) {
      return false;
    }
    boolean changed = false;
    for (EndpointState<?> state : states) {
      if (state.rampStart != EndpointState.NOT_RAMPING) {
        if (now - state.rampStart >= slowStart.window().toNanos()) {
          state.rampStart = EndpointState.NOT_RAMPING;
        }
        changed = true;
      }
    }
    return changed;
  }
}
