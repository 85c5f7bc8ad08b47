package io.scaleblocks.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.cache.CacheAside;
import io.scaleblocks.cache.CacheBackend;
import io.scaleblocks.cache.Codec;
import io.scaleblocks.testkit.RedisServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/** Keys spread over three Redis nodes; when one dies, only its keys go to the database. */
class ShardedFaultIT {

  private static final int KEYS = 600;
  private static final String PREFIX = "it:shard:";

  @Test
  void withOneOfThreeNodesStoppedOnlyItsKeysGoToTheLoader() throws Exception {
    try (ThreeNodes three = new ThreeNodes()) {
      List<RedisServerProcess> nodes = three.nodes;
      List<RedisClient> clients = three.clients;
      AtomicInteger loads = new AtomicInteger();
      CacheAside<String, String> first = instance(clients, loads);
      for (int i = 0; i < KEYS; i++) {
        first.get("user:" + i);
      }
      assertEquals(KEYS, loads.get());

      int[] perNode = new int[3];
      for (int i = 0; i < KEYS; i++) {
        for (int n = 0; n < 3; n++) {
          if (clients.get(n).exists(PREFIX + "{user:" + i + "}")) {
            perNode[n]++;
          }
        }
      }
      System.out.printf("keys per node: %d / %d / %d%n", perNode[0], perNode[1], perNode[2]);
      assertEquals(KEYS, perNode[0] + perNode[1] + perNode[2]);
      assertTrue(perNode[1] > 0);

      nodes.get(1).kill();
      loads.set(0);
      CacheAside<String, String> fresh = instance(clients, loads);
      for (int i = 0; i < KEYS; i++) {
        assertEquals(Optional.of("row " + i), fresh.get("user:" + i));
      }
      assertEquals(perNode[1], loads.get(), "exactly the dead node's keys were loaded");
    }
  }

  /**
   * A near cache over three nodes: when one node dies, its channel is lost and only its keys
   * stop being served locally after the staleness bound; the others stay local hits.
   */
  @Test
  void withOneOfThreeNodesKilledOnlyItsKeysLeaveTheNearCacheAfterTheBound() throws Exception {
    String prefix = "it:shard-near:" + UUID.randomUUID() + ":";
    Map<String, String> db = new ConcurrentHashMap<>();
    try (ThreeNodes three = new ThreeNodes()) {
      List<RedisServerProcess> nodes = three.nodes;
      List<RedisClient> clients = three.clients;
      List<CacheBackend<String, String>> backends = new ArrayList<>();
      for (RedisClient client : clients) {
        backends.add(RedisCacheBackends.builder(client, Codec.utf8(), Codec.utf8()).prefix(prefix)
            .name("near-node-" + backends.size()).circuitBreaker(3, Duration.ofSeconds(5)).build());
      }
      AtomicInteger loads = new AtomicInteger();
      CacheAside<String, String> cache = CacheAside.<String, String>builder(key -> {
        loads.incrementAndGet();
        return Optional.ofNullable(db.get(key));
      }).name("sharded-near").backend(CacheBackend.sharded(backends, Codec.utf8())).earlyRefresh(0)
          .nearCacheStaleness(Duration.ofMillis(300)).recordStats().build();
      for (RedisServerProcess node : nodes) {
        try (redis.clients.jedis.Jedis admin = new redis.clients.jedis.Jedis("127.0.0.1", node.port())) {
          io.scaleblocks.testkit.Await.until("the near cache to subscribe on every node", Duration.ofSeconds(5),
              () -> admin.pubsubNumSub(prefix + "invalidations").getOrDefault(prefix + "invalidations", 0L) > 0);
        }
      }
      for (int i = 0; i < KEYS; i++) {
        db.put("user:" + i, "v1");
        assertEquals(Optional.of("v1"), cache.get("user:" + i));
      }
      // The server lists a subscription a little before the client hears it confirmed, and each
      // confirmation clears its node's keys from the local tier: read until a whole pass hits
      // locally, so that every confirmation is behind us.
      io.scaleblocks.testkit.Await.until("every key to be a local hit", Duration.ofSeconds(5), () -> {
        long hits = cache.stats().hits();
        for (int i = 0; i < KEYS; i++) {
          cache.get("user:" + i);
        }
        return cache.stats().hits() - hits == KEYS;
      });
      boolean[] onDeadNode = new boolean[KEYS];
      int deadKeys = 0;
      for (int i = 0; i < KEYS; i++) {
        onDeadNode[i] = clients.get(1).exists(prefix + "{user:" + i + "}");
        deadKeys += onDeadNode[i] ? 1 : 0;
      }
      assertTrue(deadKeys > 0 && deadKeys < KEYS);
      int firstDead = 0;
      while (!onDeadNode[firstDead]) {
        firstDead++;
      }

      nodes.get(1).kill();
      // Writes this instance never hears of: the others' keys stay as they are locally (their
      // channels are up), the dead node's keys must come from the loader after the bound.
      db.replaceAll((key, value) -> "v2");
      String probe = "user:" + firstDead;
      io.scaleblocks.testkit.Await.until("the dead node's keys to leave the near cache", Duration.ofSeconds(5),
          () -> cache.get(probe).equals(Optional.of("v2")));

      loads.set(0);
      io.scaleblocks.cache.CacheStats before = cache.stats();
      for (int i = 0; i < KEYS; i++) {
        assertEquals(Optional.of(onDeadNode[i] ? "v2" : "v1"), cache.get("user:" + i), "user:" + i);
      }
      io.scaleblocks.cache.CacheStats after = cache.stats();
      System.out.printf("near cache with node-1 dead: %d of %d keys from the loader, %d local hits%n",
          loads.get(), KEYS, after.hits() - before.hits());
      // The probe was loaded after its node died, so it is trusted for a bound from that load.
      assertEquals(deadKeys - 1, loads.get(), "exactly the dead node's keys, but the probe, were loaded");
      assertEquals(KEYS - deadKeys + 1, after.hits() - before.hits(),
          "the live nodes' keys, and the freshly loaded probe, were local hits");
      assertEquals(before.remoteHits(), after.remoteHits(), "and none of them went to Redis");
      cache.close();
      backends.forEach(CacheBackend::close);
    }
  }

  private static CacheAside<String, String> instance(List<RedisClient> clients, AtomicInteger loads) {
    List<CacheBackend<String, String>> backends = new ArrayList<>();
    for (RedisClient client : clients) {
      backends.add(RedisCacheBackends.builder(client, Codec.utf8(), Codec.utf8()).prefix(PREFIX)
          .name("node-" + backends.size()).circuitBreaker(3, Duration.ofSeconds(5)).build());
    }
    return CacheAside.<String, String>builder(key -> {
      loads.incrementAndGet();
      return Optional.of("row " + key.substring("user:".length()));
    }).backend(CacheBackend.sharded(backends, Codec.utf8())).earlyRefresh(0).build();
  }

  /** Three throw-away Redis servers of this test's own, each with a pooled client; closing stops them. */
  private static final class ThreeNodes implements AutoCloseable {
    final List<RedisServerProcess> nodes = new ArrayList<>();
    final List<RedisClient> clients = new ArrayList<>();

    ThreeNodes() throws Exception {
      try {
        for (int i = 0; i < 3; i++) {
          RedisServerProcess node = RedisServerProcess.start(16400, 16500);
          nodes.add(node);
          clients.add(RedisCacheBackends.standalone(new HostAndPort("127.0.0.1", node.port()), Duration.ofMillis(100)));
        }
      } catch (Exception | Error e) {
        close();
        throw e;
      }
    }

    @Override
    public void close() {
      clients.forEach(RedisClient::close);
      for (RedisServerProcess node : nodes) {
        node.close();
      }
    }
  }
}
