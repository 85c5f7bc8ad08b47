package io.scaleblocks.replication;

/** What probing one node gave: its replication state, or why it could not be probed. */
sealed interface ProbeOutcome {

  record Answered(Dialect.Probe probe) implements ProbeOutcome {}

  record Failed(String reason) implements ProbeOutcome {}
}
