package io.scaleblocks.queue;

/**
 * What opening a file log does with a corruption in the middle of the log: a corrupt record with
 * valid records after it in its segment, or records missing at the end of an older segment (its
 * last record damaged, or its last records zeroed) in front of the next segment.
 */
public enum CorruptionPolicy {
  /** Refuses to open, with a {@link CorruptLogException} naming the file and the position. */
  STOP,
  /**
   * Opens; the unreadable messages are skipped in every group and one dead letter per lost message
   * id, carrying the file, position and byte count in its reason, goes to the dead-letter topic;
   * the bad bytes are then rewritten as skipped records, so the next open is clean.
   */
  SKIP_AND_DEAD_LETTER
}
