package io.scaleblocks.queue.redis;

import io.scaleblocks.queue.MessageQueue;
import io.scaleblocks.queue.MessageQueueContract;
import io.scaleblocks.queue.QueueConfig;
import java.time.Duration;
import redis.clients.jedis.UnifiedJedis;

/**
 * The contract on a real Redis, standalone or Cluster: real time passes (Redis's idle times are
 * its own), with a short claim interval and visibility timeout so that redelivery tests are quick.
 */
abstract class RedisStreamsContract extends MessageQueueContract {

  /** The client the subclass connected in its {@code @BeforeAll}. */
  protected abstract UnifiedJedis jedis();

  @Override
  protected MessageQueue create(QueueConfig config) {
    return RedisStreamsQueue.create(jedis(), config);
  }

  @Override
  protected QueueConfig.Builder config() {
    return QueueConfig.builder().claimInterval(Duration.ofMillis(50));
  }

  /** A key of another type where the topic's stream would be: every XADD gets WRONGTYPE. */
  @Override
  protected boolean failDurableWrites(MessageQueue q, String topic) {
    jedis().set(RedisStreamsQueue.key(topic), "not a stream");
    return true;
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
