package io.scaleblocks.queue.redis;

import io.scaleblocks.queue.MessageQueue;
import io.scaleblocks.queue.MessageQueueContract;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.RedisClient;

/** The contract on a real standalone Redis. */
class RedisStreamsQueueIT extends MessageQueueContract {

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
  protected MessageQueue create(QueueConfig config) {
    return RedisStreamsQueue.create(jedis, config);
  }

  @Override
  protected QueueConfig.Builder config() {
    return QueueConfig.builder().claimInterval(Duration.ofMillis(50));
  }

  @Override
  protected Duration visibility() {
    return Duration.ofMillis(400);
  }

  @Override
  protected void passTime(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
