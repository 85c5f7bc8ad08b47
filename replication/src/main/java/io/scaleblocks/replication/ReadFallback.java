package io.scaleblocks.replication;

/** What a read does when no replica can serve it (none in rotation, or none accepts a connection). */
public enum ReadFallback {
  /** Read from the primary. */
  PRIMARY,
  /**
   * Fail with a {@link java.sql.SQLTransientConnectionException} naming the replicas. A router
   * configured with no replica reads from the primary all the same.
   */
  FAIL
}
