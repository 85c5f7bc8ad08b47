package io.scaleblocks.queue.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scaleblocks.queue.Message;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.queue.QueueException;
import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.args.ClientPauseMode;

/** Acknowledgements on a real Redis Cluster whose nodes stop answering. */
class RedisStreamsClusterFaultIT {

  /**
   * The ack of a redelivery pipelines its XACK with the DEL of the nack's reason; a cluster
   * pipeline leaves a timed-out node's replies unset instead of throwing, and the ack must still
   * fail as a QueueException (what callers catch), not with Jedis' state error.
   */
  @Test
  void theAckOfARedeliveryOnANodeThatTimesOutFailsWithAQueueException() {
    RequireServer.redisCluster();
    List<InetSocketAddress> addresses = ServerAddresses.redisClusterNodes();
    Set<HostAndPort> nodes = addresses.stream()
        .map(a -> new HostAndPort(a.getHostString(), a.getPort())).collect(Collectors.toSet());
    try (RedisClusterClient jedis = RedisClusterClient.builder().nodes(nodes)
        .clientConfig(DefaultJedisClientConfig.builder().socketTimeoutMillis(300).build()).build()) {
      RedisStreamsQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder()
          .name("ack-fault").claimInterval(Duration.ofMillis(20)).build());
      String t = "ack-fault-" + UUID.randomUUID();
      q.poll(t, "g", "c", 1, Duration.ZERO);
      q.publish(t, new byte[] {1});
      Message first = q.poll(t, "g", "c", 1, Duration.ofSeconds(2)).get(0);
      q.nack(first, Duration.ZERO, "again");
      List<Message> again = List.of();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (again.isEmpty() && System.nanoTime() < deadline) {
        again = q.poll(t, "g", "c", 1, Duration.ofMillis(200));
      }
      Message second = again.get(0);
      assertEquals(2, second.deliveryCount());
      for (InetSocketAddress a : addresses) {
        try (Jedis node = new Jedis(a.getHostString(), a.getPort())) {
          node.clientPause(1500, ClientPauseMode.WRITE);
        }
      }
      try {
        assertThrows(QueueException.class, () -> q.ack(second));
      } finally {
        for (InetSocketAddress a : addresses) {
          try (Jedis node = new Jedis(a.getHostString(), a.getPort())) {
            node.clientUnpause();
          }
        }
      }
    }
  }
}
