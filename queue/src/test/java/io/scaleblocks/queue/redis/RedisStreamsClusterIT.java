package io.scaleblocks.queue.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scaleblocks.queue.MessageQueue;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;

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

  /**
   * One node of the cluster flushes its scripts, the others keep theirs: the bounded topic's
   * publishes (single, batch, async) and the trim on that node get through by the script's text,
   * each batch written once.
   */
  @Test
  void aBoundedTopicWhoseNodeAloneFlushedItsScriptsPublishesAndTrims() throws Exception {
    String t = "flushed-" + UUID.randomUUID();
    String key = RedisStreamsQueue.key(t);
    MessageQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder().maxPendingMessages(100)
        .build());
    try (Jedis owner = ownerOf(key)) {
      q.publish(t, bytes("a"));
      owner.scriptFlush();
      q.publish(t, bytes("b"));
      owner.scriptFlush();
      q.publishAll(t, List.of(bytes("c"), bytes("d")));
      owner.scriptFlush();
      q.publishAsync(t, bytes("e")).get(10, TimeUnit.SECONDS);
      owner.scriptFlush();
      assertEquals(0, SafeTrim.trim(jedis, key), "no group: nothing to trim");
      assertEquals(List.of("a", "b", "c", "d", "e"), jedis.xrange(key, (StreamEntryID) null, null)
          .stream().map(e -> e.getFields().get("p")).toList());
    } finally {
      q.close();
      jedis.del(key);
    }
  }

  /** A connection to the master that holds {@code key}: the others answer MOVED. */
  private static Jedis ownerOf(String key) {
    for (InetSocketAddress a : ServerAddresses.redisClusterNodes()) {
      Jedis node = new Jedis(a.getHostString(), a.getPort());
      try {
        node.exists(key);
        return node;
      } catch (JedisDataException moved) {
        node.close();
      }
    }
    throw new AssertionError("no node holds " + key);
  }

  @Override
  protected UnifiedJedis jedis() {
    return jedis;
  }
}
