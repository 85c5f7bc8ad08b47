package io.scaleblocks.bench.sharding;

import io.scaleblocks.sharding.HashFunction;
import io.scaleblocks.sharding.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Hashing a string key: ours (murmur3, xxHash64, straight from the {@code CharSequence}) beside
 * Guava's {@code murmur3_128().hashString(key, UTF_8).asLong()}, the anchor, and
 * {@code String.hashCode()} (cached after the first call), the naive baseline.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HashBenchmark {

  @Param({"murmur3", "xxHash64", "guava-murmur3_128", "string-hashCode"})
  public String function;

  @Param({"16", "64"})
  public int length;

  private String key;
  private ToLongFunction<String> hasher;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(3);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      s.append((char) ('a' + random.nextInt(26)));
    }
    key = s.toString();
    HashFunction murmur3 = Hashing.murmur3();
    HashFunction xxHash64 = Hashing.xxHash64();
    com.google.common.hash.HashFunction guava = com.google.common.hash.Hashing.murmur3_128();
    hasher = switch (function) {
      case "murmur3" -> murmur3::hash;
      case "xxHash64" -> xxHash64::hash;
      case "guava-murmur3_128" -> k -> guava.hashString(k, StandardCharsets.UTF_8).asLong();
      case "string-hashCode" -> String::hashCode;
      default -> throw new IllegalArgumentException(function);
    };
  }

  @Benchmark
  public long hash() {
    return hasher.applyAsLong(key);
  }
}
