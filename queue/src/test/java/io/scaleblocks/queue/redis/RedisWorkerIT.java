package io.scaleblocks.queue.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.queue.Message;
import io.scaleblocks.queue.MessageQueue;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.queue.Worker;
import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** A {@link Worker} on Redis, where an interrupt does not end a poll waiting in Redis. */
class RedisWorkerIT {

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

  /**
   * A message that a poll still waiting in Redis when the worker shut down receives: no handler
   * runs for it after shutdown returned; it is given back at once, so another consumer gets it.
   */
  @Test
  void aMessageLeasedByAPollThatOutlivedShutdownIsGivenBackNotHandled() throws Exception {
    MessageQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder()
        .claimInterval(Duration.ofMillis(50)).visibilityTimeout(Duration.ofSeconds(30)).build());
    String t = "w" + Long.toHexString(System.nanoTime());
    q.poll(t, "g", "c", 1, Duration.ZERO);
    List<String> handled = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newCachedThreadPool();
    Worker worker = Worker.builder(q, t, "g").executor(pool).pollWait(Duration.ofSeconds(5))
        .handler(m -> handled.add(new String(m.payload(), UTF_8))).start();
    try {
      Thread.sleep(300); // the poller waits in XREADGROUP now
      assertTrue(worker.shutdown(Duration.ofMillis(100)));
      q.publish(t, "late".getBytes(UTF_8));
      List<Message> back = q.poll(t, "g", "other", 1, Duration.ofSeconds(3));
      Thread.sleep(200);
      assertEquals(List.of(), handled, "no handler runs once shutdown returned");
      assertEquals(List.of("late"), back.stream().map(m -> new String(m.payload(), UTF_8)).toList(),
          "given back, so another consumer got it well before its visibility timeout (30 s)");
    } finally {
      pool.shutdownNow();
      q.close();
      jedis.del(RedisStreamsQueue.key(t));
    }
  }
}
