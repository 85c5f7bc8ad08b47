package io.scaleblocks.bench.sharding;

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
 * {@code none}'s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HotKeyBenchmark {

  private static final int STREAM = 1 << 20;

  @Param({"count-min-window", "naive-exact-map", "none"})
  public String detector;

  private final String[] stream = new String[STREAM];
  private Consumer<String> record;
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
      case "none" -> record = key -> sink = key.hashCode();
      default -> throw new IllegalArgumentException(detector);
    }
  }

  @Benchmark
  public void recordAccess() {
    record.accept(stream[index++ & (STREAM - 1)]);
  }
}
