package io.scaleblocks.replication;

/** The role a node was configured with; what it is now is its {@link NodeState}. */
public enum Role {
  PRIMARY,
  REPLICA
}
