package io.scaleblocks.bench.sharding;

import io.scaleblocks.sharding.Hashing;
import io.scaleblocks.sharding.HotKeyDetector;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of recording one access on a Zipf(1.0) stream over 1,000,000 keys: the sliding-window
 * detector, a naive exact counter (a {@code ConcurrentHashMap} of {@code LongAdder}s, no window)
 * and no recording ({@code none} only reads the key's hash code, so it pays the same cache miss
 * on the key object that every recorder pays): the detector's added cost is its score minus
 * {@code none}'s. The {@code -hashed} pair passes the 64-bit hash a router already computed
 * ({@link HotKeyDetector#record(Object, long)}), so neither touches the key object: that pair
 * measures the detector alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HotKeyBenchmark {

  private static final int STREAM = 1 << 20;

  @Param({"count-min-window", "count-min-window-hashed", "naive-exact-map", "none", "none-hashed"})
  public String detector;

  private final String[] stream = new String[STREAM];
  private final long[] hashes = new long[STREAM];
  private Consumer<String> record;
  private HotKeyDetector<String> hashed;
  private long hashSink;
  private int index;
  private int sink;

  @Setup
  public void setUp() {
    int keys = 1_000_000;
    double[] cdf = new double[keys];
    double sum = 0;
    for (int i = 0; i < keys; i++) {
      sum += 1.0 / (i + 1);
      cdf[i] = sum;
    }
    String[] names = new String[keys];
    for (int i = 0; i < keys; i++) {
      cdf[i] /= sum;
      names[i] = "user:" + i;
    }
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < STREAM; i++) {
      int k = Arrays.binarySearch(cdf, random.nextDouble());
      stream[i] = names[k >= 0 ? k : -k - 1];
      hashes[i] = Hashing.murmur3().hash(stream[i]);
    }
    switch (detector) {
      case "count-min-window" -> {
        HotKeyDetector<String> d = HotKeyDetector.<String>builder().build();
        record = d::record;
      }
      case "naive-exact-map" -> {
        ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();
        record = key -> counts.computeIfAbsent(key, k -> new LongAdder()).increment();
      }
      case "count-min-window-hashed", "none-hashed" -> {
        hashed = HotKeyDetector.<String>builder().build();
        record = null;
      }
      case "none" -> record = key -> sink = key.hashCode();
      default -> throw new IllegalArgumentException(detector);
    }
  }

  @Benchmark
  public void recordAccess() {
    int i = index++ & (STREAM - 1);
    if (record != null) {
      record.accept(stream[i]);
    } else if (detector.equals("none-hashed")) {
      hashSink += hashes[i];
    } else {
      // The caller already holds the key (it just routed it) and its 64-bit hash.
      hashed.record(stream[i], hashes[i]);
    }
  }
}
