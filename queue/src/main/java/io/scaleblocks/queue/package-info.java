/**
 * A durable message queue: the {@link io.scaleblocks.queue.MessageQueue} contract, the embedded
 * {@link io.scaleblocks.queue.SegmentedLogQueue}, an in-memory queue and
 * {@link io.scaleblocks.queue.Worker}s.
 * Nothing in this package accepts or returns {@code null}
 * unless its Javadoc says so.
 */
package io.scaleblocks.queue;
