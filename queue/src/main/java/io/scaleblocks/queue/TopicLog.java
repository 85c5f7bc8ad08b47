package io.scaleblocks.queue;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The records of one topic, in offset order (0, 1, 2, …). Appends are called by one thread at a
 * time (the topic serialises them); reads, {@link #end()} and {@link #sync} from any thread.
 */
interface TopicLog {

  /** Appends the payloads (all of them or, on failure, none visible) and returns the first offset. */
  long append(List<byte[]> payloads, DeadLetter deadLetter, long timestampMillis);

  /** Returns once every record below {@code endOffset} is durable per the queue's policy. */
  void sync(long endOffset);

  /**
   * A future completed once every record below {@code endOffset} is durable per the queue's policy
   * (at once under a policy whose {@link #sync} never waits), or failed with the {@link QueueException} of the
   * sync that covered them or of a close that came first. Called under the topic's append lock,
   * in offset order; the futures complete in that order.
   */
  default CompletableFuture<Void> syncAsync(long endOffset) {
    sync(endOffset);
    return CompletableFuture.completedFuture(null);
  }

  /** The oldest offset still held. */
  long start();

  /** The offset after the last record a consumer may read (durable per the policy). */
  long end();

  /** The record at {@code offset}, with {@code start() <= offset < end()}. */
  StoredRecord read(long offset);

  /** Drops whole segments below {@code offset}, which every group has acknowledged. */
  void releaseBelow(long offset);

  void close();
}
