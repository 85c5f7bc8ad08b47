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
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A tailing consumer group of the file log: each operation polls 1,000 100-byte messages and
 * acknowledges them with one {@code ackAll} (the score is per message). {@code durability} is
 * that of the acknowledgements: NONE (page cache) or GROUP_COMMIT (an fsync of the group's
 * journal per batch). Each iteration starts on a fresh log of 3M messages.
 */
@State(Scope.Benchmark)
public class QueueConsumeBenchmark {

  private static final int BATCH = 1000;

  @Param({"NONE", "GROUP_COMMIT"})
  Durability durability;

  private Path dir;
  private MessageQueue queue;

  @Setup(Level.Iteration)
  public void fill() {
    dir = BenchDirs.fresh("consume");
    queue = SegmentedLogQueue.open(dir, QueueConfig.builder().durability(durability).build());
    queue.poll("bench", "tail", "c", 1, Duration.ZERO);
    byte[] payload = BenchDirs.payload();
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      batch.add(payload);
    }
    for (int i = 0; i < 300; i++) {
      queue.publishAll("bench", batch);
    }
  }

  @TearDown(Level.Iteration)
  public void close() {
    queue.close();
    BenchDirs.delete(dir);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int pollAndAck() {
    List<Message> got = queue.poll("bench", "tail", "c", BATCH, Duration.ZERO);
    if (got.size() < BATCH) {
      throw new IllegalStateException("the log ran dry after " + got.size()
          + " messages: fill it with more");
    }
    queue.ackAll(got);
    return got.size();
  }
}
