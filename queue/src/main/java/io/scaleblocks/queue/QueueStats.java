package io.scaleblocks.queue;

/**
 * Counters of a queue since it was opened: messages published, delivered (first deliveries and
 * redeliveries), redelivered, acknowledged and dead-lettered; and the {@code fsync}s of its files
 * (how many, their total time, and how many published records they made durable, so that
 * {@code fsyncRecords / fsyncs} is the mean group-commit batch).
 */
public record QueueStats(long published, long delivered, long redelivered, long acked,
    long deadLettered, long fsyncs, long fsyncNanos, long fsyncRecords) {}
