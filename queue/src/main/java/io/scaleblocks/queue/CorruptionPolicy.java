package io.scaleblocks.queue;

/** What opening a file log does with a corrupt record in the middle of a segment. */
public enum CorruptionPolicy {
  /** Refuses to open, with a {@link CorruptLogException} naming the file and the position. */
  STOP,
  /**
   * Opens; the unreadable messages are skipped in every group and one dead letter per lost message
   * id, carrying the file, position and byte count in its reason, goes to the dead-letter topic.
   */
  SKIP_AND_DEAD_LETTER
}
