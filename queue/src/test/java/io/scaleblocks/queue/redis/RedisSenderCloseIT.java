package io.scaleblocks.queue.redis;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.queue.QueueException;
import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.args.ClientPauseMode;

/**
 * Close while the sender's round trip does not come back (a Redis that holds writes, a client
 * without a read timeout): close must not return with that round's futures pending.
 */
class RedisSenderCloseIT {

  @Test
  void closeFailsTheFuturesOfARoundTripThatDoesNotReturn() throws Exception {
    RequireServer.redis();
    InetSocketAddress a = ServerAddresses.addressOf(ServerAddresses.redisUrl());
    try (RedisClient jedis = RedisClient.builder().hostAndPort(a.getHostString(), a.getPort())
        .clientConfig(DefaultJedisClientConfig.builder().socketTimeoutMillis(0).build()).build();
        Jedis admin = new Jedis(a.getHostString(), a.getPort())) {
      RedisStreamsQueue q = RedisStreamsQueue.create(jedis,
          QueueConfig.builder().name("sender-close").build());
      String topic = "close-" + UUID.randomUUID();
      q.publishAsync(topic, new byte[] {1}).get(10, TimeUnit.SECONDS);
      admin.clientPause(60_000, ClientPauseMode.WRITE);
      try {
        CompletableFuture<String> stuck = q.publishAsync(topic, new byte[] {2});
        q.close();
        assertTrue(stuck.isDone(), "close returned with a future pending");
        ExecutionException e = assertThrows(ExecutionException.class, () -> stuck.get(0,
            TimeUnit.SECONDS));
        assertInstanceOf(QueueException.class, e.getCause());
      } finally {
        admin.clientUnpause();
      }
    }
  }
}
