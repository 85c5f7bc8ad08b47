package io.scaleblocks.bench.queue;

import com.squareup.tape2.QueueFile;
import io.scaleblocks.queue.Durability;
import io.scaleblocks.queue.MessageQueue;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.queue.SegmentedLogQueue;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * 16 producers publishing 100-byte messages that are durable (fsync'd) when the call returns: our
 * group commit ({@code groupCommit}), one fsync per publish ({@code everyPublish}, the baseline
 * of the target), and Tape's {@code QueueFile} (the anchor, which syncs every add and is not
 * thread-safe, so the producers take a lock). Run in throughput and sample-time mode (the latter
 * gives the p99 of a publish).
 */
@State(Scope.Benchmark)
@Threads(16)
public class QueueFsyncBenchmark {

  @Param({"groupCommit", "everyPublish", "tape"})
  String impl;

  private final byte[] payload = BenchDirs.payload();
  private final ReentrantLock tapeLock = new ReentrantLock();
  private Path dir;
  private MessageQueue queue;
  private QueueFile tape;

  @Setup(Level.Iteration)
  public void open() throws IOException {
    dir = BenchDirs.fresh(impl);
    switch (impl) {
      case "groupCommit" -> queue = SegmentedLogQueue.open(dir,
          QueueConfig.builder().durability(Durability.GROUP_COMMIT).build());
      case "everyPublish" -> queue = SegmentedLogQueue.open(dir,
          QueueConfig.builder().durability(Durability.EVERY_PUBLISH).build());
      case "tape" -> tape = new QueueFile.Builder(dir.resolve("tape").toFile()).build();
      default -> throw new IllegalArgumentException(impl);
    }
  }

  @TearDown(Level.Iteration)
  public void close() throws IOException {
    if (queue != null) {
      queue.close();
      queue = null;
    }
    if (tape != null) {
      tape.close();
      tape = null;
    }
    BenchDirs.delete(dir);
  }

  @Benchmark
  public Object publish() throws IOException {
    if (tape != null) {
      tapeLock.lock();
      try {
        tape.add(payload);
      } finally {
        tapeLock.unlock();
      }
      return tape;
    }
    return queue.publish("bench", payload);
  }
}
