package io.scaleblocks.replication;

/** What the router does with a node right now. */
public enum NodeState {
  /** Not probed yet: a configured replica serves reads, a configured primary takes writes. */
  UNKNOWN,
  /** The primary: takes every write. */
  PRIMARY,
  /** A replica in rotation: takes reads. */
  REPLICA,
  /** A replica further behind the primary than {@code maxLagBytes} or {@code maxLag}. */
  LAGGING,
  /** Unreachable, or its probe failed or timed out. */
  DOWN,
  /**
   * A node that is not in recovery but is not the primary either: the loser of a split brain
   * (an older timeline than the primary's), or a configured replica that is a primary. It takes
   * neither writes nor reads.
   */
  FENCED
}
