package io.scaleblocks.queue;

import java.nio.file.Path;

/** Where queues come from: {@link #inMemory} and {@link #open} (the file log). */
public final class MessageQueues {

  private MessageQueues() {}

  /**
   * A queue held in memory, with the contract of every {@link MessageQueue} except durability:
   * everything is lost when the JVM stops. For tests and demos.
   */
  public static MessageQueue inMemory(QueueConfig config) {
    return new LocalQueue(config, counters -> new MemoryStorage());
  }

  /** The file log in {@code directory}: {@link SegmentedLogQueue#open}. */
  public static SegmentedLogQueue open(Path directory, QueueConfig config) {
    return SegmentedLogQueue.open(directory, config);
  }
}
