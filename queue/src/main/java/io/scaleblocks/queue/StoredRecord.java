package io.scaleblocks.queue;

/**
 * A record as a topic log holds it: its offset, timestamp and payload, and the dead-letter facts
 * of a dead letter ({@code null} otherwise). A {@code skipped} record stands for a message that a
 * repaired corruption made unreadable: it was dead-lettered at open, groups pass over it.
 */
record StoredRecord(long offset, long timestampMillis, byte[] payload, DeadLetter deadLetter,
    boolean skipped) {}
