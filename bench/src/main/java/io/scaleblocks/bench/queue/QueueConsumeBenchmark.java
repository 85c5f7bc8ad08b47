package io.scaleblocks.bench.queue;

import io.scaleblocks.queue.Durability;
import io.scaleblocks.queue.Message;
import io.scaleblocks.queue.MessageQueue;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.queue.SegmentedLogQueue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One consumer group reading a topic of 100-byte messages on the file log: each op polls
 * {@value #BATCH} messages and acknowledges them with one {@code ackAll}, so the score is
 * messages consumed (and acknowledged) per second. Every iteration starts on a fresh directory,
 * pre-filled in {@code @Setup(Level.Iteration)} (not timed) with more messages than the previous
 * iteration consumed (at least {@code -Dbench.consume.messages}, default 2,000,000), so the group
 * never runs dry during the measured second; should it, the op fails loudly instead of counting
 * empty polls. The {@code messages} counter is the exact number consumed.
 *
 * <p>{@code durability} is that of the acknowledgements (the group's journal): {@code NONE}
 * (page cache, survives {@code kill -9}) or {@code GROUP_COMMIT} (one journal fsync per
 * {@code ackAll}).
 */
@State(Scope.Benchmark)
public class QueueConsumeBenchmark {

  static final int BATCH = 1000;
  private static final int FILL_BATCH = 10_000;

  @Param({"NONE", "GROUP_COMMIT"})
  Durability durability;

  private final byte[] payload = BenchDirs.payload();
  private long nextFill = Long.getLong("bench.consume.messages", 2_000_000);
  private long filled;
  private long consumed;
  private Path dir;
  private MessageQueue queue;

  @Setup(Level.Iteration)
  public void fill() {
    dir = BenchDirs.fresh("consume");
    queue = SegmentedLogQueue.open(dir, QueueConfig.builder().durability(durability).build());
    queue.poll("bench", "readers", "c", 1, Duration.ZERO);
    List<byte[]> batch = new ArrayList<>(FILL_BATCH);
    for (int i = 0; i < FILL_BATCH; i++) {
      batch.add(payload);
    }
    for (filled = 0; filled < nextFill; filled += FILL_BATCH) {
      queue.publishAll("bench", batch);
    }
    consumed = 0;
  }

  @TearDown(Level.Iteration)
  public void close() {
    nextFill = Math.max(nextFill, consumed * 2);
    queue.close();
    BenchDirs.delete(dir);
  }

  /** The messages consumed, as a rate. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Consumed {
    public long messages;

    @Setup(Level.Iteration)
    public void reset() {
      messages = 0;
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int pollAndAckAll(Consumed counter) {
    List<Message> got = queue.poll("bench", "readers", "c", BATCH, Duration.ZERO);
    if (got.size() < BATCH) {
      throw new IllegalStateException("the group ran dry after " + consumed + " of " + filled
          + " messages: raise -Dbench.consume.messages");
    }
    queue.ackAll(got);
    consumed += got.size();
    counter.messages += got.size();
    return got.size();
  }
}
