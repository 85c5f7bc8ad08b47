/**
 * A durable message queue: the {@link io.scaleblocks.queue.MessageQueue} contract, the embedded
 * {@link io.scaleblocks.queue.SegmentedLogQueue}, and an in-memory queue.
 * Nothing in this package accepts or returns {@code null}
 * unless its Javadoc says so.
 */
package io.scaleblocks.queue;
