package io.scaleblocks.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.util.JedisClusterCRC16;

/** The Redis Cluster that {@code scripts/services} starts has three masters sharing every slot. */
class RedisClusterSmokeIT {

  private static final int KEYS = 300;

  @BeforeAll
  static void requireCluster() {
    RequireServer.redisCluster();
  }

  @Test
  void keysSpreadOverAllThreeMastersAndReadBack() {
    List<InetSocketAddress> nodes = ServerAddresses.redisClusterNodes();
    Set<HostAndPort> seeds = new HashSet<>();
    nodes.forEach(node -> seeds.add(new HostAndPort(node.getHostString(), node.getPort())));
    String prefix = "smoke:" + UUID.randomUUID() + ":";

    Map<Integer, Integer> keysPerMaster = new HashMap<>();
    try (RedisClusterClient cluster = RedisClusterClient.create(seeds)) {
      for (int i = 0; i < KEYS; i++) {
        cluster.set(prefix + i, Integer.toString(i));
      }
      for (int i = 0; i < KEYS; i++) {
        assertEquals(Integer.toString(i), cluster.get(prefix + i));
      }
      // Ask each master directly which of our keys it owns: the slot map must cover them all.
      for (InetSocketAddress node : nodes) {
        try (Jedis master = new Jedis(node.getHostString(), node.getPort())) {
          assertTrue(master.info("replication").contains("role:master"), node + " is not a master");
          int owned = 0;
          for (int i = 0; i < KEYS; i++) {
            String key = prefix + i;
            List<String> found = master.clusterGetKeysInSlot(JedisClusterCRC16.getSlot(key), KEYS);
            if (found.contains(key)) {
              owned++;
            }
          }
          keysPerMaster.put(node.getPort(), owned);
        }
      }
      for (int i = 0; i < KEYS; i++) {
        cluster.del(prefix + i);
      }
    }

    assertEquals(nodes.size(), keysPerMaster.size());
    keysPerMaster.forEach((port, owned) -> assertTrue(owned > 0, "master " + port + " owns none of the keys"));
    assertEquals(KEYS, keysPerMaster.values().stream().mapToInt(Integer::intValue).sum(),
        "every key is owned by exactly one master: " + keysPerMaster);
  }
}
