package io.scaleblocks.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The opt-in rebuild of the default placement when most of its nodes have left. */
class MementoShrinkTest {

  private static Map<String, Integer> nodes(int n) {
    Map<String, Integer> nodes = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      nodes.put("n" + i, 1);
    }
    return nodes;
  }

  /** Removes every node but the first {@code keep}, in a seeded random order (not LIFO). */
  private static Placement<String> shrink(Placement<String> placement, int keep) {
    List<String> all = new ArrayList<>(placement.nodes());
    Collections.shuffle(all.subList(keep, all.size()), new Random(3));
    for (String node : all.subList(keep, all.size())) {
      placement = placement.withoutNode(node);
    }
    return placement;
  }

  @Test
  void withoutTheOptInNothingIsRebuiltAndTheBucketArrayKeepsItsSize() {
    MementoPlacement<String> p = (MementoPlacement<String>) shrink(Placements.consistent(nodes(1_000)), 10);
    assertEquals(1_000, p.arraySize(), "history kept: every removed bucket is remembered");
    assertEquals(10, p.workingBuckets());
  }

  @Test
  void aShrinkBelowTheWorkingShareRebuildsAndKeepsEveryKeyOnALiveNode() {
    Placement<String> shrunk = shrink(Placements.consistent(nodes(1_000), 0.1), 10);
    MementoPlacement<String> p = (MementoPlacement<String>) shrunk;
    assertTrue(p.workingBuckets() >= 0.1 * p.arraySize(),
        p.workingBuckets() + " of " + p.arraySize() + " buckets work");
    SplittableRandom random = new SplittableRandom(1);
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int i = 0; i < 100_000; i++) {
      String node = shrunk.nodeFor(random.nextLong());
      assertTrue(node.compareTo("n") > 0 && Integer.parseInt(node.substring(1)) < 10, node);
      counts.merge(node, 1, Integer::sum);
    }
    assertEquals(10, counts.size());
    counts.values().forEach(c -> assertTrue(Math.abs(c - 10_000) < 600, counts.toString()));
    // A removal that leaves the share working still moves only the removed node's keys.
    Placement<String> full = Placements.consistent(nodes(100), 0.1);
    Placement<String> fewer = full.withoutNode("n42");
    assertEquals(100, ((MementoPlacement<String>) fewer).arraySize(), "no rebuild");
    SplittableRandom again = new SplittableRandom(2);
    for (int i = 0; i < 20_000; i++) {
      long key = again.nextLong();
      if (!full.nodeFor(key).equals("n42")) {
        assertEquals(full.nodeFor(key), fewer.nodeFor(key));
      }
    }
  }

  @Test
  void aWorkingShareOutsideZeroToOneIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Placements.consistent(nodes(3), 0));
    assertEquals("minWorkingShare must be in (0, 1] but was 0.0", e.getMessage());
  }

  /**
   * Adding a node is held to the same total-weight limit as building the placement: a weight one
   * past it is refused by name before a bucket is allocated.
   */
  @Test
  void addingANodeThatTakesTheTotalWeightPastTheLimitIsRefused() {
    Placement<String> p = Placements.consistent(nodes(1));
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> p.withNode("huge", (1 << 30) - 1));
    assertTrue(refused.getMessage().contains("total weight must be < 2^30 but was 1073741824"),
        refused.getMessage());
  }
}
