package io.scaleblocks.queue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The embedded {@link MessageQueue}: a segmented append-only log per topic in one directory.
 *
 * <p><b>Reliable</b>: every record is framed with its length and a CRC32C; a publish returns once
 * its record is durable per the {@link Durability} policy (group commit by default: producers
 * arriving while an {@code fsync} runs share the next). An acknowledgement is durable by the same
 * policy before {@code ack} returns. <b>Recoverable</b>: on open, a torn record, garbage or zeros
 * after the last complete record are cut and reported ({@link #recoveryReport()}), every complete
 * record is kept; a corrupt record in the middle of a segment, and records missing at the end of
 * an older segment (damaged or zeroed in front of the next one), are refused or skipped and
 * dead-lettered ({@link CorruptionPolicy}). <b>Asynchronous</b>: {@link #publishAsync} appends on
 * the caller's thread and a flush thread per topic completes the futures after the fsync that
 * covers them, so many publishes share one. <b>Exclusive</b>: a lock file keeps a second process
 * out of the directory ({@link QueueLockedException} names the holder). <b>Bounded on disk</b>:
 * a segment is deleted once every group has acknowledged all of it.
 *
 * <p>The format is in the module README. Thread-safe.
 */
public final class SegmentedLogQueue implements MessageQueue {

  private final LocalQueue queue;
  private final FileStorage storage;

  private SegmentedLogQueue(LocalQueue queue, FileStorage storage) {
    this.queue = queue;
    this.storage = storage;
  }

  /**
   * Opens (creating if needed) the queue in {@code directory}, recovering what a crash left.
   *
   * @throws QueueLockedException if another queue holds the directory
   * @throws CorruptLogException if a segment is corrupt in the middle under {@link CorruptionPolicy#STOP}
   * @throws QueueException if the directory cannot be used
   */
  public static SegmentedLogQueue open(Path directory, QueueConfig config) {
    return open(directory, config, FileIo.SYSTEM);
  }

  static SegmentedLogQueue open(Path directory, QueueConfig config, FileIo io) {
    FileStorage[] storage = new FileStorage[1];
    LocalQueue queue = new LocalQueue(config, counters -> {
      storage[0] = new FileStorage(directory, config, io, counters);
      return storage[0];
    });
    return new SegmentedLogQueue(queue, storage[0]);
  }

  /** What opening found and cut or skipped. */
  public RecoveryReport recoveryReport() {
    return storage.report();
  }

  public Path directory() {
    return storage.directory();
  }

  @Override
  public String publish(String topic, byte[] payload) {
    return queue.publish(topic, payload);
  }

  @Override
  public List<String> publishAll(String topic, List<byte[]> payloads) {
    return queue.publishAll(topic, payloads);
  }

  /**
   * {@inheritDoc}
   *
   * <p>On the file log the record is appended on the caller's thread; one flush thread per topic
   * forces the file whenever an async publish waits, and completes every future the force covered.
   */
  @Override
  public CompletableFuture<String> publishAsync(String topic, byte[] payload) {
    return queue.publishAsync(topic, payload);
  }

  @Override
  public CompletableFuture<List<String>> publishAllAsync(String topic, List<byte[]> payloads) {
    return queue.publishAllAsync(topic, payloads);
  }

  @Override
  public List<Message> poll(String topic, String group, String consumer, int max, Duration wait) {
    return queue.poll(topic, group, consumer, max, wait);
  }

  @Override
  public void ack(Message message) {
    queue.ack(message);
  }

  @Override
  public void ackAll(List<Message> messages) {
    queue.ackAll(messages);
  }

  @Override
  public void nack(Message message, Duration redeliverAfter, String reason) {
    queue.nack(message, redeliverAfter, reason);
  }

  @Override
  public long lag(String topic, String group) {
    return queue.lag(topic, group);
  }

  @Override
  public List<String> groups(String topic) {
    return queue.groups(topic);
  }

  @Override
  public QueueStats stats() {
    return queue.stats();
  }

  @Override
  public String name() {
    return queue.name();
  }

  @Override
  public void close() {
    queue.close();
  }

  @Override
  public String toString() {
    return "SegmentedLogQueue[" + queue.name() + ", " + storage.directory() + "]";
  }
}
