package io.scaleblocks.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/** The standalone Redis that {@code scripts/services} starts is real and reachable. */
class RedisSmokeIT {

  @BeforeAll
  static void requireRedis() {
    RequireServer.redis();
  }

  @Test
  void setWithTtlIsReadBackAndThenExpires() {
    try (RedisClient redis = RedisClient.create(java.net.URI.create(ServerAddresses.redisUrl()))) {
      String key = "smoke:" + UUID.randomUUID();

      assertEquals("OK", redis.set(key, "value", SetParams.setParams().px(300)));
      assertEquals("value", redis.get(key));
      long ttl = redis.pttl(key);
      assertTrue(ttl > 0 && ttl <= 300, "PTTL was " + ttl);

      Await.until(key + " to expire", Duration.ofSeconds(5), () -> !redis.exists(key));
      assertNull(redis.get(key));
    }
  }

  @Test
  void serverIsARealRedisOnLoopback() {
    try (Jedis redis = new Jedis(java.net.URI.create(ServerAddresses.redisUrl()))) {
      String info = redis.info("server");

      assertTrue(info.contains("redis_version:"), info);
      assertTrue(info.contains("tcp_port:" + ServerAddresses.addressOf(ServerAddresses.redisUrl()).getPort()), info);
    }
  }
}
