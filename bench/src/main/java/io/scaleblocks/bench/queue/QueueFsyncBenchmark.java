package io.scaleblocks.bench.queue;

import com.squareup.tape2.QueueFile;
import io.scaleblocks.queue.Durability;
import io.scaleblocks.queue.MessageQueue;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.queue.SegmentedLogQueue;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * 16 producers publishing 100-byte messages that are durable (fsync'd) before they count: our
 * group commit with producers that each wait for their own publish ({@code groupCommit}, at most
 * 16 publishes per fsync), the same with {@code publishAsync} and {@value #IN_FLIGHT} publishes in
 * flight per producer ({@code groupCommitAsync}: a producer waits for its oldest future once
 * {@value #IN_FLIGHT} are outstanding, so one fsync can cover up to 1,024), one fsync per publish
 * ({@code everyPublish}, the baseline of the target), and Tape's {@code QueueFile} (the anchor,
 * which syncs every add and is not thread-safe, so the producers take a lock).
 *
 * <p>The score is publishes per second (one op = one publish call). The per-message latency from
 * the publish call to durable (for a synchronous publish its return, for an async one its
 * future's completion) is recorded by every producer into one {@link LatencyHistogram} and printed
 * after each iteration and, over all measurement iterations, at the end of the trial
 * ({@code "<impl>: measured N publishes durable, p50 …, p99 …, p99.9 …"}). JMH cannot report it:
 * sample mode times the call, which for an async publish returns before the message is durable,
 * and auxiliary counters are summed over threads and iterations. {@code inFlight} (default
 * {@value #IN_FLIGHT}) is what each async producer keeps outstanding: fewer trade throughput for
 * latency ({@code -p inFlight=8,16,64}).
 */
@State(Scope.Benchmark)
@Threads(QueueFsyncBenchmark.THREADS)
public class QueueFsyncBenchmark {

  static final int THREADS = 16;
  static final int IN_FLIGHT = 64;
  private final LatencyHistogram latency = new LatencyHistogram();
  private final LatencyHistogram measured = new LatencyHistogram();

  @Param({"groupCommit", "groupCommitAsync", "everyPublish", "tape"})
  String impl;

  @Param({"" + IN_FLIGHT})
  int inFlight;

  private final byte[] payload = BenchDirs.payload();
  private final ReentrantLock tapeLock = new ReentrantLock();
  private Path dir;
  private MessageQueue queue;
  private QueueFile tape;
  private boolean async;

  @Setup(Level.Iteration)
  public void open() throws IOException {
    dir = BenchDirs.fresh(impl);
    latency.reset();
    async = impl.equals("groupCommitAsync");
    switch (impl) {
      case "groupCommit", "groupCommitAsync" -> queue = SegmentedLogQueue.open(dir,
          QueueConfig.builder().durability(Durability.GROUP_COMMIT).build());
      case "everyPublish" -> queue = SegmentedLogQueue.open(dir,
          QueueConfig.builder().durability(Durability.EVERY_PUBLISH).build());
      case "tape" -> tape = new QueueFile.Builder(dir.resolve("tape").toFile()).build();
      default -> throw new IllegalArgumentException(impl);
    }
  }

  @TearDown(Level.Iteration)
  public void close(IterationParams iteration) throws IOException {
    if (queue != null) {
      queue.close(); // completes what is still in flight, so the histogram has every publish
      queue = null;
    }
    if (tape != null) {
      tape.close();
      tape = null;
    }
    BenchDirs.delete(dir);
    boolean measurement = iteration.getType() == IterationType.MEASUREMENT;
    print(measurement ? "iteration" : "warm-up", latency);
    if (measurement) {
      measured.add(latency);
    }
  }

  @TearDown(Level.Trial)
  public void report() {
    print("measured", measured);
  }

  private void print(String what, LatencyHistogram h) {
    System.out.printf(Locale.ROOT, "%n%s: %s %d publishes durable, p50 %.3f ms, p99 %.3f ms,"
        + " p99.9 %.3f ms%n", impl, what, h.count(), h.percentile(0.50) / 1e6,
        h.percentile(0.99) / 1e6, h.percentile(0.999) / 1e6);
  }

  /** A producer's async publishes not yet waited for, oldest first. */
  @State(Scope.Thread)
  public static class Producer {
    final ArrayDeque<CompletableFuture<String>> inFlight = new ArrayDeque<>();

    @TearDown(Level.Iteration)
    public void drain() {
      inFlight.forEach(f -> f.handle((id, e) -> id).join());
      inFlight.clear();
    }
  }

  @Benchmark
  public Object publish(Producer producer) throws IOException {
    long start = System.nanoTime();
    if (tape != null) {
      tapeLock.lock();
      try {
        tape.add(payload);
      } finally {
        tapeLock.unlock();
      }
      latency.record(System.nanoTime() - start);
      return tape;
    }
    if (async) {
      CompletableFuture<String> f = queue.publishAsync("bench", payload);
      f.whenComplete((id, e) -> latency.record(System.nanoTime() - start));
      producer.inFlight.add(f);
      return producer.inFlight.size() < inFlight ? f : producer.inFlight.poll().join();
    }
    String id = queue.publish("bench", payload);
    latency.record(System.nanoTime() - start);
    return id;
  }
}
