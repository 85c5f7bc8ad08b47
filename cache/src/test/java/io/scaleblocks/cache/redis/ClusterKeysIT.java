package io.scaleblocks.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.cache.CacheEntry;
import io.scaleblocks.cache.Codec;
import io.scaleblocks.cache.Lease;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/** Keys whose bytes would make an empty hash tag work on the Cluster like any other. */
class ClusterKeysIT {

  @Test
  void keysThatAreEmptyOrStartWithABraceOrATildeWorkOnTheCluster() {
    try (UnifiedJedis cluster = RedisCacheBackendIT.connect("cluster")) {
      RedisCacheBackend<String, String> backend = (RedisCacheBackend<String, String>) RedisCacheBackends
          .builder(cluster, Codec.utf8(), Codec.utf8()).prefix("it:keys:" + UUID.randomUUID() + ":").build();
      for (String key : List.of("", "}weird", "}", "~tilde", "~", "a}b", "plain")) {
        CacheEntry<String> entry = new CacheEntry<>(Optional.of("v:" + key), 0, System.currentTimeMillis() + 60_000);
        Lease lease = backend.tryLease(key, Duration.ofSeconds(5)).orElseThrow();
        assertTrue(backend.setIfLeased(key, lease, entry), "'" + key + "': the leased fill was refused");
        assertEquals(Optional.of(entry), backend.get(key), "'" + key + "'");
        backend.invalidate(key);
        assertEquals(Optional.empty(), backend.get(key), "'" + key + "' after invalidate");
      }
      assertEquals(CircuitBreaker.State.CLOSED, backend.circuit());
      backend.close();
    }
  }
}
