package io.scaleblocks.replication;

import java.util.Optional;

/**
 * Observes a {@link ReplicationDataSource}'s view of its nodes. Listeners run after the change
 * is published, outside the router's locks, each in its own {@code try}: what they throw is
 * logged and never reaches a connection or the monitor. Node and primary changes are told one at
 * a time, in the order they were made, even when threads make them at once (a failed connection
 * and a probe round): the last state a listener was told of a node is its state. A change made
 * while another thread is telling the listeners is told by that thread, so the call that made it
 * may return before the listeners heard of it. Every method has an empty default.
 */
public interface ReplicationListener {

  /** A node changed state (a replica left or rejoined rotation, a node went down, was fenced). */
  default void onNodeChange(NodeStatus previous, NodeStatus current) {}

  /** Writes now go to {@code current} (a promotion, or the first primary found). */
  default void onPrimaryChange(Optional<String> previous, Optional<String> current) {}

  /** A read could not get a connection from {@code failed} and was tried elsewhere. */
  default void onReadFailover(String failed) {}

  /**
   * A read given a causal token finished waiting: served by a replica that had caught up, or by
   * the primary after {@code waitedNanos}.
   */
  default void onCausalRead(boolean servedByReplica, long waitedNanos) {}
}
