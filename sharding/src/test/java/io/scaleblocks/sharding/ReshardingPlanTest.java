package io.scaleblocks.sharding;

import static io.scaleblocks.sharding.PlacementContractTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ReshardingPlanTest {

  private static ShardTopology<String> fourShards() {
    return ShardTopology.of(List.of(Shard.of("s0", "a"), Shard.of("s1", "b"), Shard.of("s2", "c"),
        Shard.of("s3", "d")));
  }

  @Test
  void growingByOneShardMovesExactlyTheKeysItNowOwnsAndOnlyOntoIt() {
    ShardTopology<String> before = fourShards();
    ShardTopology<String> after = before.withShard(Shard.of("s4", "e"));
    ReshardingPlan<String> plan = ReshardingPlan.plan(before, after);
    List<Long> keys = LongStream.range(0, 100_000).boxed().toList();
    Map<ReshardingPlan.Move, List<Long>> moves = plan.movesOf(keys, Hashing.murmur3()::hash);
    assertEquals(4, moves.size());
    long moved = 0;
    for (Map.Entry<ReshardingPlan.Move, List<Long>> move : moves.entrySet()) {
      assertEquals("s4", move.getKey().to());
      for (long key : move.getValue()) {
        long hash = Hashing.murmur3().hash(key);
        assertEquals(move.getKey().from(), before.shardForHash(hash).id());
        assertEquals("s4", after.shardForHash(hash).id());
      }
      moved += move.getValue().size();
    }
    long expected = keys.stream().filter(k -> {
      long h = Hashing.murmur3().hash(k);
      return !before.shardForHash(h).equals(after.shardForHash(h));
    }).count();
    assertEquals(expected, moved);
    assertTrue(Math.abs(moved - 20_000) < 600, "moved " + moved);
    double share = plan.estimatedShares(200_000, 1).values().stream().mapToDouble(Double::doubleValue).sum();
    assertEquals(0.2, share, 0.005);
  }

  @Test
  void removingAShardMovesOnlyItsKeysAndPinsMoveTheirKey() {
    ShardTopology<String> before = fourShards();
    ShardTopology<String> after = before.withoutShard("s1");
    ReshardingPlan<String> plan = ReshardingPlan.plan(before, after);
    for (long key = 0; key < 20_000; key++) {
      long hash = Hashing.murmur3().hash(key);
      plan.moveFor(hash).ifPresent(move -> assertEquals("s1", move.from()));
    }
    long hash = Hashing.murmur3().hash("celebrity");
    String home = before.shardForHash(hash).id();
    String other = home.equals("s0") ? "s2" : "s0";
    ReshardingPlan<String> pinning = ReshardingPlan.plan(before, before.withPin(hash, other));
    assertEquals(new ReshardingPlan.Move(home, other), pinning.moveFor(hash).orElseThrow());
  }

  @Test
  void anEmptyPlanIsRejectedNamingBothVersions() {
    ShardTopology<String> topology = fourShards();
    assertMessage(IllegalArgumentException.class, "empty plan: topology v1 and v1 route every key alike",
        () -> ReshardingPlan.plan(topology, topology));
    ShardTopology<String> sameRouting = topology.withResource("s0", "a2");
    assertMessage(IllegalArgumentException.class, "empty plan: topology v1 and v2",
        () -> ReshardingPlan.plan(topology, sameRouting));
  }
}
