package io.scaleblocks.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scaleblocks.cache.CacheBackendException;
import io.scaleblocks.cache.CacheEntry;
import io.scaleblocks.cache.Codec;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** The breaker counts only the server's failures, and no call can leave it half-open for good. */
class CircuitBreakerTest {

  private final AtomicLong nanos = new AtomicLong();

  @Test
  void valuesTheCodecRefusesDoNotOpenTheBreaker() {
    Codec<String> refusing = Codec.of(v -> {
      throw new IllegalArgumentException("too large to encode");
    }, b -> "");
    try (RedisClient unreachable = RedisCacheBackends.standalone(
        new redis.clients.jedis.HostAndPort("127.0.0.1", 1), Duration.ofMillis(50))) {
      RedisCacheBackend<String, String> backend = (RedisCacheBackend<String, String>) RedisCacheBackends
          .builder(unreachable, Codec.utf8(), refusing).circuitBreaker(2, Duration.ofSeconds(1))
          .ticker(nanos::get).build();
      CacheEntry<String> entry = new CacheEntry<>(Optional.of("v"), 0, System.currentTimeMillis() + 60_000);
      for (int i = 0; i < 5; i++) {
        assertThrows(RuntimeException.class, () -> backend.set("k", entry));
      }
      assertEquals(CircuitBreaker.State.CLOSED, backend.circuit());
    }
  }

  @Test
  void closedCachesLeaveNoListenerOnTheirBackend() {
    try (RedisClient unreachable = RedisCacheBackends.standalone(
        new redis.clients.jedis.HostAndPort("127.0.0.1", 1), Duration.ofMillis(50))) {
      RedisCacheBackend<String, String> backend = (RedisCacheBackend<String, String>) RedisCacheBackends
          .builder(unreachable, Codec.utf8(), Codec.utf8()).build();
      for (int i = 0; i < 50; i++) {
        io.scaleblocks.cache.CacheAside.<String, String>builder(key -> Optional.empty()).backend(backend).build().close();
      }
      assertEquals(0, backend.listenerCount());
      backend.close();
    }
  }

  @Test
  void anErrorInTheHalfOpenTrialOpensTheBreakerAgainInsteadOfWedgingIt() {
    AtomicLong errors = new AtomicLong();
    Codec<String> keys = Codec.of(k -> {
      if (k.equals("error")) {
        errors.incrementAndGet();
        throw new OutOfMemoryError("encoding a huge key");
      }
      return k.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }, b -> new String(b, java.nio.charset.StandardCharsets.UTF_8));
    try (RedisClient unreachable = RedisCacheBackends.standalone(
        new redis.clients.jedis.HostAndPort("127.0.0.1", 1), Duration.ofMillis(50))) {
      RedisCacheBackend<String, String> backend = (RedisCacheBackend<String, String>) RedisCacheBackends
          .builder(unreachable, keys, Codec.utf8()).circuitBreaker(1, Duration.ofSeconds(1))
          .ticker(nanos::get).build();
      assertThrows(CacheBackendException.class, () -> backend.get("k"));
      assertEquals(CircuitBreaker.State.OPEN, backend.circuit());
      nanos.addAndGet(Duration.ofSeconds(1).toNanos());
      assertThrows(OutOfMemoryError.class, () -> backend.get("error"));
      assertEquals(CircuitBreaker.State.OPEN, backend.circuit(), "the trial's Error resolved it");
      nanos.addAndGet(Duration.ofSeconds(1).toNanos());
      CacheBackendException next = assertThrows(CacheBackendException.class, () -> backend.get("k"));
      assertFalse(next.getMessage().contains("circuit open"), "a new trial was let through: " + next.getMessage());
    }
  }
}
