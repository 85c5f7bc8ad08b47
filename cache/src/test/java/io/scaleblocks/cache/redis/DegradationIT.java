package io.scaleblocks.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.cache.CacheAside;
import io.scaleblocks.cache.CacheBackend;
import io.scaleblocks.cache.Codec;
import io.scaleblocks.testkit.Await;
import io.scaleblocks.testkit.RedisServerProcess;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/** A dead or slow Redis costs reads little and never fails them; recovery is automatic. */
class DegradationIT {

  private final AtomicInteger loads = new AtomicInteger();

  private CacheAside<String, String> instance(RedisClient jedis) {
    CacheBackend<String, String> backend = RedisCacheBackends.builder(jedis, Codec.utf8(), Codec.utf8())
        .prefix("it:degrade:").circuitBreaker(3, Duration.ofMillis(500)).build();
    return CacheAside.<String, String>builder(key -> {
      loads.incrementAndGet();
      return Optional.of("db:" + key);
    }).backend(backend).earlyRefresh(0).recordStats().build();
  }

  @Test
  void withRedisKilledMidTestEveryReadReturnsTheLoadersValueAndRecoveryIsAutomatic() throws Exception {
    try (RedisServerProcess server = RedisServerProcess.start(16400, 16500);
         RedisClient jedis = RedisCacheBackends.standalone(new HostAndPort("127.0.0.1", server.port()), Duration.ofMillis(100))) {
      CacheAside<String, String> warm = instance(jedis);
      for (int i = 0; i < 100; i++) {
        warm.get("k" + i);
      }
      assertEquals(100, loads.get());
      CacheAside<String, String> second = instance(jedis);
      for (int i = 0; i < 100; i++) {
        assertEquals(Optional.of("db:k" + i), second.get("k" + i));
      }
      assertEquals(100, loads.get(), "a second instance reads Redis, not the database");

      server.kill();
      CacheAside<String, String> cold = instance(jedis);
      long[] micros = new long[100];
      for (int i = 0; i < 100; i++) {
        long start = System.nanoTime();
        assertEquals(Optional.of("db:k" + i), cold.get("k" + i));
        micros[i] = (System.nanoTime() - start) / 1000;
      }
      Arrays.sort(micros);
      System.out.printf("reads with Redis dead: p50 %d us, p90 %d us, max %d us%n", micros[50], micros[90], micros[99]);
      assertTrue(micros[90] < 20_000, "with the circuit open a read costs the loader only: p90 " + micros[90] + " us");
      assertTrue(cold.stats().remoteErrors() > 0);

      server.launch();
      Await.until("the open circuit to probe the restarted server and close", Duration.ofSeconds(10),
          () -> recoveredOnce(cold));
      int before = loads.get();
      cold.invalidate("z");
      assertEquals(Optional.of("db:z"), cold.get("z"));
      assertEquals(Optional.of("db:z"), instance(jedis).get("z"));
      assertEquals(before + 1, loads.get(), "after recovery the same instance fills Redis again");
    }
  }

  private static boolean recoveredOnce(CacheAside<String, String> cache) {
    long errors = cache.stats().remoteErrors();
    cache.get("probe-" + System.nanoTime());
    return cache.stats().remoteErrors() == errors;
  }

  @Test
  void aSlowRedisTimesOutAndTheCircuitKeepsReadsFast() throws Exception {
    try (RedisServerProcess server = RedisServerProcess.start(16400, 16500);
         RedisClient jedis = RedisCacheBackends.standalone(new HostAndPort("127.0.0.1", server.port()), Duration.ofMillis(100));
         redis.clients.jedis.Jedis admin = new redis.clients.jedis.Jedis("127.0.0.1", server.port())) {
      CacheAside<String, String> cache = instance(jedis);
      admin.clientPause(3_000);
      long start = System.nanoTime();
      for (int i = 0; i < 50; i++) {
        assertEquals(Optional.of("db:s" + i), cache.get("s" + i));
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      System.out.println("50 reads against a Redis paused by CLIENT PAUSE took " + millis + " ms");
      assertTrue(millis < 1_500, "the breaker should stop paying the 100 ms timeout: " + millis + " ms");
      Thread.sleep(3_000); // leave the server unpaused for the next test
      cache.close();
    }
  }
}
