package io.scaleblocks.queue.redis;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import io.scaleblocks.queue.Message;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.queue.QueueException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** A Redis server of the test's own that is stopped (SIGSTOP) or killed (SIGKILL) and restarted. */
class RedisOutageIT {

  /**
   * A poll blocked in {@code XREADGROUP … BLOCK} when the server stops answering: it must end (empty
   * or with a {@link QueueException}) within its wait plus the client's socket timeout, not hang
   * until the server comes back.
   */
  @Test
  void aPollBlockedOnAServerThatStoppedAnsweringEnds() throws Exception {
    try (OwnRedis redis = OwnRedis.start();
        RedisClient jedis = RedisClient.create("redis://127.0.0.1:" + redis.port())) {
      RedisStreamsQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder()
          .claimInterval(Duration.ofSeconds(1)).build());
      q.poll("t", "g", "c", 1, Duration.ZERO);
      CompletableFuture<List<Message>> poll = CompletableFuture.supplyAsync(
          () -> q.poll("t", "g", "c", 1, Duration.ofSeconds(1)));
      Thread.sleep(200);
      redis.pause();
      try {
        poll.get(6, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        assertInstanceOf(QueueException.class, e.getCause());
      } catch (TimeoutException e) {
        fail("a poll of 1 s still waits 6 s after the server stopped answering");
      } finally {
        redis.resume();
      }
      q.close();
    }
  }
}
