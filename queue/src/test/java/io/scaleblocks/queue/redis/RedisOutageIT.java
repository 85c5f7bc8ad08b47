package io.scaleblocks.queue.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.scaleblocks.queue.Message;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.queue.QueueException;
import io.scaleblocks.testkit.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
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
    try (RedisServerProcess redis = RedisServerProcess.start(16600, 16700);
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

  /**
   * Redis stopped (SIGSTOP) with async publishes in flight: their futures fail within the client's
   * socket timeout (2 s) instead of waiting for the server, close is bounded, and once the server
   * goes on the same queue publishes again.
   */
  @Test
  void asyncPublishesToAServerThatStoppedAnsweringFailInsteadOfHanging() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start(16600, 16700);
        RedisClient jedis = RedisClient.create("redis://127.0.0.1:" + redis.port())) {
      RedisStreamsQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder().build());
      q.publishAsync("t", new byte[] {0}).get(10, TimeUnit.SECONDS);
      redis.pause();
      List<CompletableFuture<String>> stuck = new ArrayList<>();
      try {
        for (int i = 0; i < 100; i++) {
          stuck.add(q.publishAsync("t", new byte[] {1}));
        }
        for (CompletableFuture<String> f : stuck) {
          ExecutionException e = assertThrows(ExecutionException.class,
              () -> f.get(6, TimeUnit.SECONDS));
          assertInstanceOf(QueueException.class, e.getCause());
        }
      } finally {
        redis.resume();
      }
      q.publishAsync("t", new byte[] {2}).get(10, TimeUnit.SECONDS);
      long start = System.nanoTime();
      q.close();
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
    }
  }

  /**
   * Every call of a queue whose server is gone fails with a {@link QueueException} that names what
   * failed, as the contract says of storage failures, not with the client's own exception.
   */
  @Test
  void everyCallOnAServerThatIsGoneThrowsAQueueException() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start(16600, 16700);
        RedisClient jedis = RedisClient.create("redis://127.0.0.1:" + redis.port())) {
      for (long bound : new long[] {0, 10}) {
        RedisStreamsQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder()
            .maxPendingMessages(bound).build());
        q.poll("t", "g", "c", 1, Duration.ZERO);
        q.publish("t", new byte[] {1});
        Message m = q.poll("t", "g", "c", 1, Duration.ofSeconds(1)).get(0);
        redis.kill();
        String at = "bound " + bound + ": ";
        List<Executable> calls = List.of(
            () -> q.publish("t", new byte[] {2}),
            () -> q.publishAll("t", List.of(new byte[] {2}, new byte[] {3})),
            () -> q.publishAsync("t", new byte[] {2}).join(),
            () -> q.poll("t", "g", "c", 1, Duration.ZERO),
            () -> q.poll("t", "other", "c", 1, Duration.ZERO),
            () -> q.ack(m),
            () -> q.nack(m, Duration.ZERO),
            () -> q.lag("t", "g"),
            () -> q.groups("t"));
        for (int i = 0; i < calls.size(); i++) {
          Throwable e = assertThrows(Throwable.class, calls.get(i), at + "call " + i);
          if (e instanceof CompletionException) {
            e = e.getCause();
          }
          assertInstanceOf(QueueException.class, e, at + "call " + i + " threw " + e);
        }
        q.close();
        redis.launch();
      }
    }
  }

  /**
   * Redis killed with async publishes in flight: every future completes (none hangs), close is
   * bounded, and once Redis is back on its port the same queue publishes and delivers again.
   */
  @Test
  void afterRedisWasKilledAndRestartedTheSameQueueWorksAgain() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start(16600, 16700);
        RedisClient jedis = RedisClient.create("redis://127.0.0.1:" + redis.port())) {
      for (long bound : new long[] {0, 100_000}) {
        RedisStreamsQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder()
            .maxPendingMessages(bound).build());
        q.poll("t", "g", "c", 1, Duration.ZERO);
        List<CompletableFuture<String>> inFlight = new ArrayList<>();
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        Thread killer = new Thread(redis::kill);
        killer.start();
        try {
          while (System.nanoTime() < until) {
            inFlight.add(q.publishAsync("t", "x".getBytes(StandardCharsets.UTF_8)));
          }
        } catch (QueueException e) {
          // the bounded call's own XLEN failed: thrown, as documented
        }
        killer.join();
        for (CompletableFuture<String> f : inFlight) {
          try {
            f.get(10, TimeUnit.SECONDS);
          } catch (ExecutionException e) {
            assertInstanceOf(QueueException.class, e.getCause());
          }
        }
        redis.launch();
        String at = "bound " + bound;
        String id = q.publishAsync("u", "after".getBytes(StandardCharsets.UTF_8))
            .get(10, TimeUnit.SECONDS);
        assertEquals(id, q.publish("u", "again".getBytes(StandardCharsets.UTF_8)).compareTo(id) > 0
            ? id : null, at);
        List<Message> got = q.poll("u", "g", "c", 2, Duration.ofSeconds(2));
        assertEquals(List.of("after", "again"), got.stream()
            .map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList(), at);
        q.ackAll(got);
        long start = System.nanoTime();
        q.close();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), at);
        assertFalse(inFlight.stream().anyMatch(f -> !f.isDone()), at);
        jedis.flushAll();
      }
    }
  }
}
