package io.scaleblocks.replication;

/** What probing one node gave: its replication state, or why it could not be probed. */
sealed interface ProbeOutcome {

  /**
   * @param symptomsAtStart the node's {@link Node#symptoms()} when the probe started: a symptom
   *     seen since makes this answer older than what the router knows
   */
  record Answered(Dialect.Probe probe, long symptomsAtStart) implements ProbeOutcome {}

  record Failed(String reason) implements ProbeOutcome {}
}
