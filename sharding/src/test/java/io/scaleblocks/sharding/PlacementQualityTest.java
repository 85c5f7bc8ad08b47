package io.scaleblocks.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Balance and disruption, measured exactly over seeded keys: the targets of the default placement
 * asserted, and the same figures for every placement written to
 * {@code target/placement-quality.md} (the tables of the module README).
 *
 * <p>Keys are {@code murmur3(i)} for i in [0, K): the hashes are computed once and shared.
 */
class PlacementQualityTest {

  static final int TARGET_KEYS = 10_000_000;
  static final int REPORT_KEYS = 1_000_000;
  private static long[] keys;

  @BeforeAll
  static void hashKeysOnce() {
    keys = new long[TARGET_KEYS];
    HashFunction murmur3 = Hashing.murmur3();
    for (int i = 0; i < keys.length; i++) {
      keys[i] = murmur3.hash((long) i);
    }
  }

  static List<Integer> nodes(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  /** Exact figures of one placement at one n, over the first {@code count} keys. */
  record Quality(double maxOverMean, double minOverMean, double addMovedOverIdeal,
      long addMovedBetweenOldNodes, double removeMovedOverOwned, long removeMovedBetweenSurvivors) {}

  static Quality measure(Function<List<Integer>, Placement<Integer>> factory, int n, int count) {
    Placement<Integer> base = factory.apply(nodes(n));
    int[] owner = new int[count];
    long[] load = new long[n];
    if (base instanceof BoundedLoadPlacement<Integer> bounded) {
      for (int i = 0; i < count; i++) {
        owner[i] = bounded.assign(keys[i]);
        load[owner[i]]++;
      }
    } else {
      for (int i = 0; i < count; i++) {
        owner[i] = base.nodeFor(keys[i]);
        load[owner[i]]++;
      }
    }
    double mean = (double) count / n;
    long max = 0;
    long min = Long.MAX_VALUE;
    for (long l : load) {
      max = Math.max(max, l);
      min = Math.min(min, l);
    }
    Placement<Integer> grown = base.withNode(n);
    long addMoved = 0;
    long addBetweenOld = 0;
    for (int i = 0; i < count; i++) {
      int now = place(grown, keys[i]);
      if (now != owner[i]) {
        addMoved++;
        if (now != n) {
          addBetweenOld++;
        }
      }
    }
    int removed = n / 2;
    Placement<Integer> shrunk = n > 1 ? base.withoutNode(removed) : base;
    long removeMoved = 0;
    long removeBetweenSurvivors = 0;
    for (int i = 0; i < count; i++) {
      int now = place(shrunk, keys[i]);
      if (now != owner[i]) {
        removeMoved++;
        if (owner[i] != removed) {
          removeBetweenSurvivors++;
        }
      }
    }
    return new Quality(max / mean, min / mean, addMoved / ((double) count / (n + 1)), addBetweenOld,
        (double) removeMoved / load[removed], removeBetweenSurvivors);
  }

  private static int place(Placement<Integer> placement, long key) {
    return placement instanceof BoundedLoadPlacement<Integer> bounded
        ? bounded.assign(key) : placement.nodeFor(key);
  }

  @Test
  void defaultPlacementHoldsTheMostLoadedNodeWithinTwoPercentOfTheMeanOverTenMillionKeys() {
    Quality q = measure(Placements::consistent, 100, TARGET_KEYS);
    assertTrue(q.maxOverMean() <= 1.02, "max/mean was " + q.maxOverMean());
  }

  @Test
  void defaultPlacementMovesOnlyTheNewNodesShareWhenOneIsAdded() throws IOException {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Default placement, %d keys (murmur3 of 0..%d).%n%n", TARGET_KEYS, TARGET_KEYS - 1));
    md.append("| n | max/mean (target <= 1.02 at n=100) | add: moved / ideal K/(n+1) (target <= 1.02) | add: moved between old nodes | remove node n/2: moved / its keys | remove: moved between survivors |\n");
    md.append("|---:|---:|---:|---:|---:|---:|\n");
    for (int n : new int[] {10, 100, 1000}) {
      Quality q = measure(Placements::consistent, n, TARGET_KEYS);
      md.append(String.format(Locale.ROOT, "| %d | %.4f | %.4f | %d | %.4f | %d |%n", n, q.maxOverMean(),
          q.addMovedOverIdeal(), q.addMovedBetweenOldNodes(), q.removeMovedOverOwned(),
          q.removeMovedBetweenSurvivors()));
      assertTrue(q.addMovedOverIdeal() <= 1.02, "n=" + n + ": moved/ideal was " + q.addMovedOverIdeal());
      assertEquals(0, q.addMovedBetweenOldNodes(), "n=" + n);
      assertEquals(1.0, q.removeMovedOverOwned(), "n=" + n);
      assertEquals(0, q.removeMovedBetweenSurvivors(), "n=" + n);
    }
    Path out = Path.of("target", "placement-targets.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, md);
  }

  @Test
  void removingAnyNodeOfTheDefaultPlacementMovesExactlyItsKeys() {
    int n = 100;
    int count = 2_000_000;
    Placement<Integer> base = Placements.consistent(nodes(n));
    int[] owner = new int[count];
    for (int i = 0; i < count; i++) {
      owner[i] = base.nodeFor(keys[i]);
    }
    for (int removed = 0; removed < n; removed++) {
      Placement<Integer> shrunk = base.withoutNode(removed);
      for (int i = 0; i < count; i++) {
        int now = shrunk.nodeFor(keys[i]);
        if (owner[i] == removed) {
          assertTrue(now != removed);
        } else {
          assertEquals(owner[i], now, "removing node " + removed + " moved key " + i);
        }
      }
    }
  }

  @Test
  void defaultPlacementKeepsUnderHalfAMegabyteOfRoutingStateAtAThousandNodes() {
    MementoPlacement<Integer> placement = (MementoPlacement<Integer>) Placements.consistent(nodes(1000))
        .withoutNode(17).withoutNode(500).withNode(1000);
    assertTrue(placement.routingStateBytes() <= 512 * 1024, placement.routingStateBytes() + " bytes");
  }

  @Test
  void everyPlacementIsReportedAtTenAHundredAndAThousandNodes() throws IOException {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "%d keys (murmur3 of 0..%d), one node added (n+1), node n/2 removed.%n%n",
        REPORT_KEYS, REPORT_KEYS - 1));
    md.append("| placement | n | max/mean | min/mean | add: moved / ideal K/(n+1) | add: moved between old nodes | remove: moved / removed node's keys | remove: moved between survivors |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (PlacementCatalog.Entry entry : PlacementCatalog.all()) {
      for (int n : new int[] {10, 100, 1000}) {
        if (entry.name().equals("rendezvous") && n == 1000) {
          continue;
        }
        Quality q = measure(nodes -> integerPlacement(entry, nodes), n, REPORT_KEYS);
        md.append(String.format(Locale.ROOT, "| %s | %d | %.4f | %.4f | %.4f | %d | %.4f | %d |%n",
            entry.name(), n, q.maxOverMean(), q.minOverMean(), q.addMovedOverIdeal(),
            q.addMovedBetweenOldNodes(), q.removeMovedOverOwned(), q.removeMovedBetweenSurvivors()));
        if (entry.removesAnyNodeMinimally()) {
          assertEquals(0, q.removeMovedBetweenSurvivors(), entry + " n=" + n);
        }
      }
    }
    Path out = Path.of("target", "placement-quality.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, md);
  }

  @SuppressWarnings("unchecked")
  private static Placement<Integer> integerPlacement(PlacementCatalog.Entry entry, List<Integer> nodes) {
    Function<List<Integer>, Placement<Integer>> raw = (Function<List<Integer>, Placement<Integer>>) (Function<?, ?>) entry.plain();
    return raw.apply(nodes);
  }
}
