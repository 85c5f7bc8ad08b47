package io.scaleblocks.bench.sharding;

import io.scaleblocks.sharding.Placement;
import io.scaleblocks.sharding.Placements;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Key-to-node lookup of every placement beside the anchors: Guava's
 * {@code Hashing.consistentHash} (jump hash over bucket numbers) and a textbook 160-point ketama
 * ring on a {@code TreeMap}; {@code hash % n} is the naive baseline. Keys are pre-hashed random
 * 64-bit values, so only the placement is measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PlacementBenchmark {

  private static final int KEYS = 1 << 16;

  @Param({"consistent", "guava-consistentHash", "textbook-ketama", "jump", "ring-160", "ketama",
      "maglev", "rendezvous", "bounded-load", "modulo"})
  public String placement;

  @Param({"10", "100", "1000"})
  public int nodes;

  private LongFunction<Object> lookup;
  private final long[] keys = new long[KEYS];
  private int index;

  @Setup
  public void setUp() throws NoSuchAlgorithmException {
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < KEYS; i++) {
      keys[i] = random.nextLong();
    }
    List<String> names = IntStream.range(0, nodes).mapToObj(i -> "10.0." + (i / 256) + "." + (i % 256) + ":11211").toList();
    String[] byIndex = names.toArray(String[]::new);
    switch (placement) {
      case "guava-consistentHash" -> lookup = key -> byIndex[com.google.common.hash.Hashing.consistentHash(key, nodes)];
      case "textbook-ketama" -> {
        TreeMap<Long, String> ring = textbookKetama(names);
        lookup = key -> {
          Map.Entry<Long, String> e = ring.ceilingEntry(key & 0xFFFFFFFFL);
          return e != null ? e.getValue() : ring.firstEntry().getValue();
        };
      }
      default -> {
        Placement<String> p = switch (placement) {
          case "consistent" -> Placements.consistent(names);
          case "jump" -> Placements.jump(names);
          case "ring-160" -> Placements.ring(names);
          case "ketama" -> Placements.ketama(names);
          case "maglev" -> Placements.maglev(names);
          case "rendezvous" -> Placements.rendezvous(names);
          case "bounded-load" -> Placements.boundedLoad(names);
          case "modulo" -> Placements.modulo(names);
          default -> throw new IllegalArgumentException(placement);
        };
        lookup = p::nodeFor;
      }
    }
  }

  /** libketama's continuum as its Java port writes it: 40 MD5 digests, 4 points each. */
  static TreeMap<Long, String> textbookKetama(List<String> servers) throws NoSuchAlgorithmException {
    TreeMap<Long, String> ring = new TreeMap<>();
    MessageDigest md5 = MessageDigest.getInstance("MD5");
    for (String server : servers) {
      for (int i = 0; i < 40; i++) {
        byte[] d = md5.digest((server + "-" + i).getBytes(StandardCharsets.UTF_8));
        for (int h = 0; h < 4; h++) {
          long point = ((long) (d[3 + h * 4] & 0xFF) << 24) | ((long) (d[2 + h * 4] & 0xFF) << 16)
              | ((long) (d[1 + h * 4] & 0xFF) << 8) | (d[h * 4] & 0xFF);
          ring.put(point, server);
        }
      }
    }
    return ring;
  }

  @Benchmark
  public Object lookup() {
    return lookup.apply(keys[index++ & (KEYS - 1)]);
  }
}
