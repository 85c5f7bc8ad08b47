package io.scaleblocks.queue.redis;

import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/** The contract on a real standalone Redis. */
class RedisStreamsQueueIT extends RedisStreamsContract {

  static RedisClient jedis;

  @BeforeAll
  static void connect() {
    RequireServer.redis();
    jedis = RedisClient.create(ServerAddresses.redisUrl());
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
