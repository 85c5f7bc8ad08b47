package io.scaleblocks.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A membership change validates the changed node as strictly as a set built from scratch. */
class NodeSetTest {

  @Test
  void addingANodeThatIsPresentOrSharesAStringFormIsRejected() {
    NodeSet<Object> nodes = NodeSet.of(List.<Object>of("a", 1, 2L));
    IllegalArgumentException duplicate =
        assertThrows(IllegalArgumentException.class, () -> nodes.with("a", 1));
    assertEquals("duplicate node 'a': it is already placed", duplicate.getMessage());
    IllegalArgumentException sameForm =
        assertThrows(IllegalArgumentException.class, () -> nodes.with("1", 1));
    assertTrue(sameForm.getMessage().startsWith("two nodes have the string form '1'"));
    assertThrows(IllegalArgumentException.class, () -> nodes.with(2, 1));
    assertEquals(4, nodes.with(3, 1).size());
  }

  @Test
  void lookupsAfterChangesFindEveryNodeAtItsPosition() {
    NodeSet<Integer> nodes = NodeSet.of(IntStream.range(0, 100).boxed().toList());
    NodeSet<Integer> changed = nodes.without(40).with(40, 3).without(7);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < changed.size(); i++) {
        assertEquals(i, changed.indexOf(changed.node(i)));
      }
      assertFalse(changed.contains(7));
      assertThrows(IllegalArgumentException.class, () -> changed.indexOf(7));
    }
    assertEquals(3, changed.weight(changed.indexOf(40)));
  }
}
