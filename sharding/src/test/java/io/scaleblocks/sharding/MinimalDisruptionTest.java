package io.scaleblocks.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The placements that promise minimal disruption keep it through any sequence of changes: a
 * removal moves only the removed node's keys, an addition moves keys only onto the new node.
 */
class MinimalDisruptionTest {

  @ParameterizedTest
  @ValueSource(strings = {"consistent", "rendezvous"})
  void randomAddsAndRemovalsOfAnyNodeNeverMoveKeysBetweenSurvivors(String algorithm) {
    SplittableRandom random = new SplittableRandom(42);
    List<String> live = new ArrayList<>(PlacementContractTest.nodes(20));
    Placement<String> placement = algorithm.equals("consistent")
        ? Placements.consistent(live) : Placements.rendezvous(live);
    long[] keys = PlacementContractTest.keys(50_000, 5);
    String[] owners = PlacementContractTest.assign(placement, keys);
    int next = 20;
    for (int step = 0; step < 200; step++) {
      boolean add = live.size() < 3 || (live.size() < 40 && random.nextBoolean());
      String changed;
      Placement<String> after;
      if (add) {
        changed = "node-" + next++;
        after = placement.withNode(changed, 1 + random.nextInt(3));
        live.add(changed);
      } else {
        changed = live.remove(random.nextInt(live.size()));
        after = placement.withoutNode(changed);
      }
      String[] moved = PlacementContractTest.assign(after, keys);
      for (int i = 0; i < keys.length; i++) {
        if (!owners[i].equals(moved[i])) {
          String where = "step " + step + " (" + (add ? "add " : "remove ") + changed + ")";
          assertTrue(add ? moved[i].equals(changed) : owners[i].equals(changed),
              where + " moved a key from " + owners[i] + " to " + moved[i]);
        }
      }
      assertEquals(live, after.nodes());
      placement = after;
      owners = moved;
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 3, 9})
  void readdingTheRemovedNodeRestoresEveryKey(int removed) {
    Placement<String> placement = Placements.consistent(PlacementContractTest.nodes(10));
    long[] keys = PlacementContractTest.keys(20_000, 6);
    String[] before = PlacementContractTest.assign(placement, keys);
    String node = "node-" + removed;
    Placement<String> back = placement.withoutNode(node).withNode(node);
    String[] after = PlacementContractTest.assign(back, keys);
    for (int i = 0; i < keys.length; i++) {
      assertEquals(before[i], after[i]);
    }
  }
}
