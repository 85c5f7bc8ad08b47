package io.scaleblocks.sharding;

import static io.scaleblocks.sharding.PlacementContractTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ShardRouterTest {

  record Order(long customerId, long orderId) {}

  private static ShardRouter<String, String> router(int shards) {
    ShardRouter.Builder<String, String> builder = ShardRouter.builder();
    for (int i = 0; i < shards; i++) {
      builder.shard("s" + i, "db-" + i);
    }
    return builder.build();
  }

  @Test
  void routesByTheDefaultPlacementOfTheMurmur3HashOfTheKey() {
    ShardRouter<String, String> router = router(4);
    Placement<String> placement = Placements.consistent(List.of("s0", "s1", "s2", "s3"));
    for (int i = 0; i < 1_000; i++) {
      String key = "user:" + i;
      String expected = placement.nodeFor(Hashing.murmur3().hash(key));
      assertEquals(expected, router.shardFor(key).id());
      assertEquals("db-" + expected.substring(1), router.resourceFor(key));
    }
  }

  @Test
  void keysSharingAHashTagLandTogether() {
    ShardRouter<String, String> router = router(16);
    for (int i = 0; i < 200; i++) {
      String tag = "{user" + i + "}";
      Shard<String> shard = router.shardFor(tag + ":orders");
      assertEquals(shard, router.shardFor(tag + ":profile"));
      assertEquals(shard, router.shardFor("cart:" + tag));
      assertEquals(Hashing.murmur3().hash("user" + i), router.hashOf(tag + ":x"));
    }
  }

  @Test
  void hashTagsFollowRedisClusterRules() {
    ShardRouter<String, String> router = router(2);
    HashFunction murmur3 = Hashing.murmur3();
    assertEquals(murmur3.hash("{}user"), router.hashOf("{}user"), "empty tag hashes the whole key");
    assertEquals(murmur3.hash("user{42"), router.hashOf("user{42"), "unclosed tag hashes the whole key");
    assertEquals(murmur3.hash("a"), router.hashOf("{a}{b}"), "the first tag wins");
    assertEquals(murmur3.hash("b{c"), router.hashOf("x{b{c}y"), "the first '}' after the first '{'");
    ShardRouter<String, String> untagged = ShardRouter.<String, String>builder()
        .shard("a", "a").hashTags(false).build();
    assertEquals(murmur3.hash("{u}:1"), untagged.hashOf("{u}:1"));
  }

  @Test
  void aKeyExtractorRoutesCompositeKeys() {
    ShardRouter<Order, String> router = ShardRouter.<Order, String>builder()
        .shard("a", "A").shard("b", "B").shard("c", "C")
        .keyExtractor(order -> Long.toString(order.customerId()))
        .build();
    for (long customer = 0; customer < 100; customer++) {
      Shard<String> shard = router.shardFor(new Order(customer, 1));
      for (long order = 2; order < 10; order++) {
        assertEquals(shard, router.shardFor(new Order(customer, order)));
      }
    }
  }

  @Test
  void pinsForceAKeyAndItsTagOntoAShardUntilUnpinned() {
    ShardRouter<String, String> router = router(8);
    String celebrity = "{celebrity}:feed";
    String home = router.shardFor(celebrity).id();
    String elsewhere = home.equals("s0") ? "s1" : "s0";
    router.pin(celebrity, elsewhere);
    assertEquals(elsewhere, router.shardFor(celebrity).id());
    assertEquals(elsewhere, router.shardFor("{celebrity}:followers").id());
    assertEquals(Map.of(router.hashOf(celebrity), elsewhere), router.topology().pins());
    router.unpin(celebrity);
    assertEquals(home, router.shardFor(celebrity).id());
    router.pin(celebrity, elsewhere);
    router.update(t -> t.withoutShard(elsewhere));
    assertTrue(router.topology().pins().isEmpty(), "a removed shard takes its pins");
    assertMessage(IllegalArgumentException.class, "unknown shard 'nope'", () -> router.pin(celebrity, "nope"));
  }

  @Test
  void topologyChangesSwapSnapshotsAndKeepMinimalDisruption() {
    ShardRouter<String, String> router = router(10);
    ShardTopology<String> before = router.topology();
    Map<String, String> owners = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      owners.put("k" + i, router.shardFor("k" + i).id());
    }
    ShardTopology<String> after = router.update(t -> t.withShard(Shard.of("s10", "db-10")));
    assertSame(after, router.topology());
    assertEquals(before.version() + 1, after.version());
    assertEquals(10, before.shards().size(), "the old snapshot is untouched");
    int moved = 0;
    for (Map.Entry<String, String> e : owners.entrySet()) {
      String now = router.shardFor(e.getKey()).id();
      if (!now.equals(e.getValue())) {
        moved++;
        assertEquals("s10", now);
      }
    }
    assertTrue(moved > 700 && moved < 1100, "moved " + moved);
    router.swap(before);
    assertSame(before, router.topology());
  }

  @Test
  void badInputIsRejectedNamingTheValue() {
    ShardRouter<String, String> router = router(2);
    assertMessage(NullPointerException.class, "key must not be null", () -> router.shardFor(null));
    assertMessage(IllegalArgumentException.class, "at least one shard",
        () -> ShardRouter.<String, String>builder().build());
    assertMessage(IllegalArgumentException.class, "duplicate shard id 'a'",
        () -> ShardRouter.<String, String>builder().shard("a", "x").shard("a", "y").build());
    assertMessage(IllegalArgumentException.class, "weight of shard 'a' must be > 0 but was -3",
        () -> ShardRouter.<String, String>builder().shard("a", "x", -3));
    assertMessage(NullPointerException.class, "resource of shard 'a' must not be null",
        () -> ShardRouter.<String, String>builder().shard("a", null));
    assertMessage(IllegalArgumentException.class, "shard id must not be blank",
        () -> Shard.of(" ", "x"));
    ShardRouter<String, String> nullExtractor = ShardRouter.<String, String>builder()
        .shard("a", "x").keyExtractor(k -> null).build();
    assertMessage(NullPointerException.class, "key extractor returned null for key 'k'",
        () -> nullExtractor.shardFor("k"));
    assertMessage(IllegalArgumentException.class, "duplicate shard id 's0'",
        () -> router.update(t -> t.withShard(Shard.of("s0", "again"))));
  }

  @Test
  void writesWaitWhilePausedAndRouteWithTheTopologyCurrentWhenTheyProceed() throws Exception {
    ShardRouter<String, String> router = router(1);
    ShardRouter.WritePause pause = router.pauseWrites(Duration.ofSeconds(1));
    CompletableFuture<String> write = CompletableFuture.supplyAsync(() -> router.write("k", Shard::id));
    assertThrows(TimeoutException.class, () -> write.get(50, TimeUnit.MILLISECONDS));
    router.update(t -> t.withShard(Shard.of("new", "db-new")).withoutShard("s0"));
    pause.close();
    assertEquals("new", write.get(5, TimeUnit.SECONDS));
    assertTrue(pause.heldNanos() > 0);
  }

  @Test
  void aPauseWaitsForWritesInProgressAndGivesUpAfterItsTimeout() throws Exception {
    ShardRouter<String, String> router = router(1);
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
      try {
        router.write("k", shard -> {
          inside.countDown();
          release.await();
          return null;
        });
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    inside.await();
    assertMessage(IllegalStateException.class, "did not finish within PT0.05S",
        () -> router.pauseWrites(Duration.ofMillis(50)));
    release.countDown();
    write.get(5, TimeUnit.SECONDS);
    router.pauseWrites(Duration.ofSeconds(1)).close();
  }

  @Test
  void trackersRecordWrittenKeysUntilClosed() {
    ShardRouter<String, String> router = router(3);
    ShardRouter.WriteTracker<String> tracker = router.trackWrites();
    router.write("a", Shard::id);
    router.write("b", Shard::id);
    router.shardFor("c");
    assertEquals(Set.of("a", "b"), tracker.drain());
    assertTrue(tracker.drain().isEmpty());
    tracker.close();
    router.write("d", Shard::id);
    assertTrue(tracker.drain().isEmpty());
  }

  @Test
  void aListenerSeesEveryRoutingDecision() {
    ShardRouter<String, String> router = router(3);
    AtomicInteger routed = new AtomicInteger();
    router.listener((shard, hash) -> routed.incrementAndGet());
    router.shardFor("a");
    router.write("b", Shard::id);
    assertEquals(2, routed.get());
    router.listener(null);
    router.shardFor("a");
    assertEquals(2, routed.get());
    assertNotEquals(router.hashOf("a"), router.hashOf("b"));
    assertFalse(router.topology().shards().isEmpty());
  }

  @Test
  void concurrentUpdatesAreAllAppliedAndRoutingNeverSeesAHalfBuiltSnapshot() throws Exception {
    ShardRouter<String, String> router = router(4);
    int threads = 4;
    int pinsPerThread = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    try {
      AtomicBoolean done = new AtomicBoolean();
      CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
        long routed = 0;
        while (!done.get()) {
          ShardTopology<String> t = router.topology();
          for (int i = 0; i < 100; i++) {
            assertTrue(t.shards().contains(t.shardForHash(i * 0x9E3779B97F4A7C15L)));
          }
          routed += 100;
        }
        return routed;
      }, pool);
      List<CompletableFuture<Void>> writers = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        int writer = w;
        writers.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < pinsPerThread; i++) {
            router.pin("w" + writer + ":" + i, "s" + (i % 4));
          }
        }, pool));
      }
      CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      done.set(true);
      assertTrue(reader.get(30, TimeUnit.SECONDS) > 0);
      assertEquals(threads * pinsPerThread, router.topology().pins().size());
      assertEquals(1 + threads * pinsPerThread, router.topology().version());
      assertEquals("s3", router.shardFor("w2:7").id());
    } finally {
      pool.shutdownNow();
    }
  }
}
