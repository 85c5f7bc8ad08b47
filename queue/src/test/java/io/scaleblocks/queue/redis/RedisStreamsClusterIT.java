package io.scaleblocks.queue.redis;

import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/** The contract on a real 3-master Redis Cluster: each topic on the slot of its hash tag. */
class RedisStreamsClusterIT extends RedisStreamsContract {

  static RedisClusterClient jedis;

  @BeforeAll
  static void connect() {
    RequireServer.redisCluster();
    Set<HostAndPort> nodes = ServerAddresses.redisClusterNodes().stream()
        .map(a -> new HostAndPort(a.getHostString(), a.getPort())).collect(Collectors.toSet());
    jedis = RedisClusterClient.create(nodes);
  }

  @AfterAll
  static void disconnect() {
    if (jedis != null) {
      jedis.close();
    }
  }

  @Override
  protected UnifiedJedis jedis() {
    return jedis;
  }
}
