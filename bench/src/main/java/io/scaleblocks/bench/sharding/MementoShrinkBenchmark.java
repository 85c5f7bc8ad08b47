package io.scaleblocks.bench.sharding;

import io.scaleblocks.sharding.Placement;
import io.scaleblocks.sharding.Placements;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Lookup of the default placement after most of its nodes left in a random order, beside the
 * opt-in rebuild ({@code Placements.consistent(nodes, 0.1)}) and Guava's
 * {@code Hashing.consistentHash} over the working count (the anchor: what a fresh jump hash of the
 * survivors costs). {@code working} is the share of the {@code nodes} still working.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MementoShrinkBenchmark {

  private static final int KEYS = 1 << 16;

  @Param({"memento", "memento-rebuild-0.1", "guava-consistentHash"})
  public String placement;

  @Param({"1000", "10000"})
  public int nodes;

  @Param({"1", "0.1", "0.01"})
  public double working;

  private Placement<String> shrunk;
  private int survivors;
  private final long[] keys = new long[KEYS];
  private int index;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < KEYS; i++) {
      keys[i] = random.nextLong();
    }
    Map<String, Integer> all = new LinkedHashMap<>();
    for (int i = 0; i < nodes; i++) {
      all.put("n" + i, 1);
    }
    survivors = Math.max(1, (int) Math.round(nodes * working));
    Placement<String> p = placement.equals("memento-rebuild-0.1")
        ? Placements.consistent(all, 0.1) : Placements.consistent(all);
    List<String> leaving = new ArrayList<>(all.keySet()).subList(survivors, nodes);
    Collections.shuffle(leaving, new Random(7));
    for (String node : leaving) {
      p = p.withoutNode(node);
    }
    shrunk = p;
  }

  @Benchmark
  public Object lookup() {
    long key = keys[index++ & (KEYS - 1)];
    if (placement.equals("guava-consistentHash")) {
      return com.google.common.hash.Hashing.consistentHash(key, survivors);
    }
    return shrunk.nodeFor(key);
  }
}
