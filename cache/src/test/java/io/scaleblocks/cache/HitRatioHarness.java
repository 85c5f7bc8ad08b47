package io.scaleblocks.cache;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Replays a trace through every {@link EvictionPolicy} at several sizes and reports hit ratios.
 * A request is a read; a miss puts the key (cache-aside). Single-threaded, so every policy sees
 * the same sequence and every figure but W-TinyLFU's is exactly reproducible (Caffeine's
 * admission adds a little randomness against hash flooding).
 *
 * <p>Run {@code main} to print the README's table.
 */
final class HitRatioHarness {

  /** The LIRS traces named in the issue, as shipped in Caffeine's simulator jar. */
  static final List<String> LIRS_TRACES =
      List.of("gli", "loop", "multi1", "multi2", "multi3", "sprite", "cs", "ps");

  /** A named trace whose first {@code warmUp} requests fill the cache without being counted. */
  record Trace(String name, int[] keys, int warmUp) {
    Trace(String name, int[] keys) {
      this(name, keys, 0);
    }

    int distinctKeys() {
      Set<Integer> distinct = new HashSet<>();
      for (int key : keys) {
        distinct.add(key);
      }
      return distinct.size();
    }
  }

  private HitRatioHarness() {}

  static double hitRatio(EvictionPolicy policy, long size, Trace trace) {
    LocalCache<Integer, Integer> cache =
        LocalCache.<Integer, Integer>builder().policy(policy).maximumSize(size).sameThreadMaintenance().build();
    int[] keys = trace.keys();
    long hits = 0;
    for (int i = 0; i < keys.length; i++) {
      Integer key = keys[i];
      if (cache.getIfPresent(key) != null) {
        if (i >= trace.warmUp()) {
          hits++;
        }
      } else {
        cache.put(key, key);
      }
    }
    return (double) hits / (keys.length - trace.warmUp());
  }

  /** Hit ratio per policy, in percent, for one trace and size. */
  static Map<EvictionPolicy, Double> row(Trace trace, long size) {
    Map<EvictionPolicy, Double> row = new LinkedHashMap<>();
    for (EvictionPolicy policy : EvictionPolicy.values()) {
      row.put(policy, 100 * hitRatio(policy, size, trace));
    }
    return row;
  }

  static Trace lirs(String name) {
    String resource = "com/github/benmanes/caffeine/cache/simulator/parser/lirs/" + name + ".trace.gz";
    InputStream in = HitRatioHarness.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException(resource + " is not on the classpath (caffeine simulator jar)");
    }
    List<Integer> keys = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(new GZIPInputStream(in), StandardCharsets.US_ASCII))) {
      for (String line; (line = reader.readLine()) != null; ) {
        line = line.trim();
        if (!line.isEmpty() && !line.equals("*")) {
          keys.add(Integer.parseInt(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
    return new Trace(name, keys.stream().mapToInt(Integer::intValue).toArray());
  }

  /** {@code requests} Zipf requests, the first half of which only warm the cache up. */
  static Trace zipf(int keys, double skew, int requests, long seed) {
    return new Trace("zipf(" + skew + ") over " + keys, Zipf.trace(keys, skew, seed, requests), requests / 2);
  }

  /**
   * A Zipf workload with a sequential scan of {@code scanLength} never-repeated keys every
   * {@code every} requests: what a batch job or a crawler does to a recency cache.
   */
  static Trace scanMixed(int keys, double skew, int requests, int every, int scanLength, long seed) {
    int[] zipf = Zipf.trace(keys, skew, seed, requests);
    int[] mixed = new int[requests];
    int next = keys;
    int z = 0;
    for (int i = 0; i < requests; i++) {
      mixed[i] = (i % every) < scanLength ? next++ : zipf[z++];
    }
    return new Trace("zipf(" + skew + ") over " + keys + " + scans", mixed);
  }

  static String markdown(Map<String, Map<EvictionPolicy, Double>> rows) {
    StringBuilder out = new StringBuilder("| trace | cache size |");
    for (EvictionPolicy policy : EvictionPolicy.values()) {
      out.append(' ').append(policy.policyName()).append(" |");
    }
    out.append("\n|---|---:|");
    out.append("---:|".repeat(EvictionPolicy.values().length)).append('\n');
    rows.forEach((label, row) -> {
      out.append("| ").append(label.replace(" @ ", " | ")).append(" |");
      row.values().forEach(v -> out.append(String.format(Locale.ROOT, " %.2f |", v)));
      out.append('\n');
    });
    return out.toString();
  }

  /** Cache sizes for a LIRS trace: fixed fractions of its distinct keys. */
  static long[] lirsSizes(Trace trace) {
    int distinct = trace.distinctKeys();
    return new long[] {Math.max(1, distinct / 20), Math.max(1, distinct / 10), distinct / 4, distinct / 2};
  }

  static Map<String, Map<EvictionPolicy, Double>> fullTable() {
    Map<String, Map<EvictionPolicy, Double>> rows = new LinkedHashMap<>();
    Trace zipf = zipf(1_000_000, 0.9, 6_000_000, 42);
    for (long size : new long[] {10_000, 100_000}) {
      rows.put(zipf.name() + " @ " + size, row(zipf, size));
    }
    Trace scans = scanMixed(100_000, 0.9, 1_000_000, 10_000, 2_000, 7);
    for (long size : new long[] {1_000, 10_000}) {
      rows.put(scans.name() + " @ " + size, row(scans, size));
    }
    for (String name : LIRS_TRACES) {
      Trace trace = lirs(name);
      for (long size : lirsSizes(trace)) {
        rows.put(name + " @ " + size, row(trace, size));
      }
    }
    return rows;
  }

  public static void main(String[] args) {
    System.out.print(markdown(fullTable()));
  }

}
