package io.scaleblocks.queue.redis;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.queue.QueueException;
import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;

/**
 * Async publishes on a real Redis Cluster whose nodes stop answering mid-pipeline: Jedis' cluster
 * pipeline logs a node's connection failure and leaves that node's replies unset instead of
 * throwing, and every future must still complete.
 */
class RedisSenderClusterFaultIT {

  @Test
  void aPipelineWhoseNodesTimeOutFailsItsFuturesAndTheSenderKeepsSending() throws Exception {
    RequireServer.redisCluster();
    List<InetSocketAddress> addresses = ServerAddresses.redisClusterNodes();
    Set<HostAndPort> nodes = addresses.stream()
        .map(a -> new HostAndPort(a.getHostString(), a.getPort())).collect(Collectors.toSet());
    try (RedisClusterClient jedis = RedisClusterClient.builder().nodes(nodes)
        .clientConfig(DefaultJedisClientConfig.builder().socketTimeoutMillis(300).build()).build();
        RedisStreamsQueue q = RedisStreamsQueue.create(jedis,
            QueueConfig.builder().name("sender-fault").claimInterval(Duration.ofMillis(50)).build())) {
      String[] topics = new String[6];
      for (int i = 0; i < topics.length; i++) {
        topics[i] = "fault-" + i + "-" + UUID.randomUUID();
        q.publishAsync(topics[i], new byte[] {1}).get(10, TimeUnit.SECONDS);
      }
      // every node holds writes for 2 s: the pipeline's reads time out after 300 ms
      for (InetSocketAddress a : addresses) {
        try (Jedis node = new Jedis(a.getHostString(), a.getPort())) {
          node.clientPause(2000, redis.clients.jedis.args.ClientPauseMode.WRITE);
        }
      }
      List<CompletableFuture<String>> during = new ArrayList<>();
      for (String topic : topics) {
        during.add(q.publishAsync(topic, new byte[] {2}));
      }
      for (CompletableFuture<String> f : during) {
        try {
          f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          assertInstanceOf(QueueException.class, e.getCause());
        }
        assertTrue(f.isDone(), "a future of a timed-out pipeline completes");
      }
      // once the nodes answer again, the sender still sends
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      String id = null;
      while (id == null && System.nanoTime() < deadline) {
        try {
          id = q.publishAsync(topics[0], new byte[] {3}).get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          assertInstanceOf(QueueException.class, e.getCause(), "only Redis errors while paused");
        }
      }
      assertTrue(id != null && id.contains("-"), "a publish after the fault succeeds: " + id);
    }
  }
}
