package io.scaleblocks.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What every placement promises, run over each of them. */
class PlacementContractTest {

  static Stream<Arguments> algorithms() {
    return PlacementCatalog.all().stream().map(Arguments::of);
  }

  static List<String> nodes(int n) {
    return IntStream.range(0, n).mapToObj(i -> "node-" + i).toList();
  }

  static long[] keys(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long[] keys = new long[count];
    for (int i = 0; i < count; i++) {
      keys[i] = random.nextLong();
    }
    return keys;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void everyKeyLandsOnAPlacedNode(PlacementCatalog.Entry algorithm) {
    Placement<String> placement = algorithm.build(nodes(7));
    for (long key : keys(10_000, 1)) {
      assertTrue(placement.nodes().contains(placement.nodeFor(key)));
    }
    assertEquals(7, placement.size());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void changesReturnNewSnapshotsAndLeaveTheOriginalAlone(PlacementCatalog.Entry algorithm) {
    Placement<String> placement = algorithm.build(nodes(5));
    long[] keys = keys(2_000, 2);
    String[] before = assign(placement, keys);
    Placement<String> grown = placement.withNode("node-new");
    Placement<String> shrunk = placement.withoutNode("node-2");
    assertEquals(nodes(5), placement.nodes());
    assertEquals(6, grown.size());
    assertEquals(List.of("node-0", "node-1", "node-3", "node-4"), shrunk.nodes());
    assertTrue(Arrays.equals(before, assign(placement, keys)));
    for (long key : keys) {
      assertNotEquals("node-2", shrunk.nodeFor(key));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void badInputIsRejectedNamingTheValue(PlacementCatalog.Entry algorithm) {
    assertMessage(IllegalArgumentException.class, "at least one node",
        () -> algorithm.build(List.of()));
    List<String> withNull = new ArrayList<>(nodes(3));
    withNull.set(1, null);
    assertMessage(NullPointerException.class, "node at position 1", () -> algorithm.build(withNull));
    assertMessage(IllegalArgumentException.class, "duplicate node 'node-1'",
        () -> algorithm.build(List.of("node-0", "node-1", "node-1")));
    Map<String, Integer> negative = new LinkedHashMap<>();
    negative.put("a", 1);
    negative.put("b", -3);
    assertMessage(IllegalArgumentException.class, "weight of node 'b' must be > 0 but was -3",
        () -> algorithm.buildWeighted(negative));
    Placement<String> placement = algorithm.build(nodes(2));
    assertMessage(IllegalArgumentException.class, "duplicate node 'node-0'",
        () -> placement.withNode("node-0"));
    assertMessage(IllegalArgumentException.class, "must be > 0 but was 0",
        () -> placement.withNode("x", 0));
    assertMessage(IllegalArgumentException.class, "unknown node 'x'",
        () -> placement.withoutNode("x"));
    assertMessage(NullPointerException.class, "node must not be null",
        () -> placement.withNode(null));
    assertMessage(IllegalArgumentException.class, "the last node",
        () -> placement.withoutNode("node-0").withoutNode("node-1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("algorithms")
  void weightsGiveProportionalShares(PlacementCatalog.Entry algorithm) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put("small", 1);
    weights.put("medium", 2);
    weights.put("large", 5);
    Placement<String> placement = algorithm.buildWeighted(weights);
    Map<String, Integer> counts = new LinkedHashMap<>();
    long[] keys = keys(400_000, 3);
    for (long key : keys) {
      counts.merge(placement.nodeFor(key), 1, Integer::sum);
    }
    for (Map.Entry<String, Integer> entry : weights.entrySet()) {
      double expected = keys.length * entry.getValue() / 8.0;
      double share = counts.get(entry.getKey()) / expected;
      assertTrue(Math.abs(share - 1) < algorithm.weightTolerance(),
          entry.getKey() + " got " + share + " of its weighted share");
    }
  }

  static String[] assign(Placement<String> placement, long[] keys) {
    String[] owners = new String[keys.length];
    for (int i = 0; i < keys.length; i++) {
      owners[i] = placement.nodeFor(keys[i]);
    }
    return owners;
  }

  static void assertMessage(Class<? extends Throwable> type, String fragment,
      org.junit.jupiter.api.function.Executable executable) {
    Throwable thrown = assertThrows(type, executable);
    assertTrue(thrown.getMessage() != null && thrown.getMessage().contains(fragment),
        "expected a message containing '" + fragment + "' but was '" + thrown.getMessage() + "'");
  }
}
