package io.scaleblocks.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.cache.CacheAside;
import io.scaleblocks.cache.CacheBackend;
import io.scaleblocks.cache.CacheBackends;
import io.scaleblocks.cache.Codec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/** Keys spread over three Redis nodes; when one dies, only its keys go to the database. */
class ShardedFaultIT {

  private static final int KEYS = 600;
  private static final String PREFIX = "it:shard:";

  @Test
  void withOneOfThreeNodesStoppedOnlyItsKeysGoToTheLoader() throws Exception {
    List<RedisProcess> nodes = new ArrayList<>();
    List<JedisPooled> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        RedisProcess node = RedisProcess.start();
        nodes.add(node);
        clients.add(RedisCacheBackends.pooled(new HostAndPort("127.0.0.1", node.port()), Duration.ofMillis(100)));
      }
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
    } finally {
      clients.forEach(JedisPooled::close);
      for (RedisProcess node : nodes) {
        node.close();
      }
    }
  }

  private static CacheAside<String, String> instance(List<JedisPooled> clients, AtomicInteger loads) {
    List<CacheBackend<String, String>> backends = new ArrayList<>();
    for (JedisPooled client : clients) {
      String address = client.getPool().getResource().toString();
      backends.add(RedisCacheBackends.builder(client, Codec.utf8(), Codec.utf8()).prefix(PREFIX)
          .name("node-" + backends.size()).circuitBreaker(3, Duration.ofSeconds(5)).build());
      assertTrue(address != null);
    }
    return CacheAside.<String, String>builder(key -> {
      loads.incrementAndGet();
      return Optional.of("row " + key.substring("user:".length()));
    }).backend(CacheBackends.sharded(backends, Codec.utf8())).earlyRefresh(0).build();
  }
}
