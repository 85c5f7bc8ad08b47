package io.scaleblocks.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.cache.CacheBackend;
import io.scaleblocks.cache.CacheEntry;
import io.scaleblocks.cache.Codec;
import io.scaleblocks.cache.Lease;
import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.UnifiedJedis;

/** The backend contract on a standalone Redis and on the Redis Cluster. */
class RedisCacheBackendIT {

  static Stream<Arguments> servers() {
    return Stream.of(Arguments.of("standalone"), Arguments.of("cluster"));
  }

  static UnifiedJedis connect(String kind) {
    if (kind.equals("standalone")) {
      RequireServer.redis();
      var address = ServerAddresses.addressOf(ServerAddresses.redisUrl());
      return RedisCacheBackends.standalone(new HostAndPort(address.getHostString(), address.getPort()), Duration.ofSeconds(2));
    }
    RequireServer.redisCluster();
    var seeds = new HashSet<HostAndPort>();
    ServerAddresses.redisClusterNodes().forEach(a -> seeds.add(new HostAndPort(a.getHostString(), a.getPort())));
    return RedisCacheBackends.cluster(seeds, Duration.ofSeconds(2));
  }

  private static CacheEntry<String> entry(String value) {
    return new CacheEntry<>(Optional.ofNullable(value), 1_234, System.currentTimeMillis() + 60_000);
  }

  @ParameterizedTest
  @MethodSource("servers")
  void entriesRoundTripSingleAndBatchedIncludingNotFound(String kind) {
    try (UnifiedJedis jedis = connect(kind)) {
      CacheBackend<String, String> backend = RedisCacheBackends.builder(jedis, Codec.utf8(), Codec.utf8())
          .prefix("it:cache:" + UUID.randomUUID() + ":").build();
      backend.set("a", entry("1"));
      backend.setAll(Map.of("b", entry("2"), "none", entry(null)));
      assertEquals(Optional.of(entry("1").value()), backend.get("a").map(CacheEntry::value));
      assertEquals(1_234, backend.get("a").orElseThrow().loadNanos());
      Map<String, CacheEntry<String>> all = backend.getAll(List.of("a", "b", "none", "missing"));
      assertEquals(Optional.of("2"), all.get("b").value());
      assertEquals(Optional.empty(), all.get("none").value());
      assertFalse(all.containsKey("missing"));
      backend.invalidate("a");
      assertEquals(Optional.empty(), backend.get("a"));
      backend.close();
    }
  }

  @ParameterizedTest
  @MethodSource("servers")
  void aLeaseIsExclusiveAndAnInvalidationRevokesIt(String kind) {
    try (UnifiedJedis jedis = connect(kind)) {
      CacheBackend<String, String> backend = RedisCacheBackends.builder(jedis, Codec.utf8(), Codec.utf8())
          .prefix("it:cache:" + UUID.randomUUID() + ":").build();
      Lease lease = backend.tryLease("k", Duration.ofSeconds(10)).orElseThrow();
      assertTrue(backend.tryLease("k", Duration.ofSeconds(10)).isEmpty(), "a second lease must be refused");
      backend.invalidate("k");
      assertFalse(backend.setIfLeased("k", lease, entry("old")), "a revoked lease must not fill");
      assertEquals(Optional.empty(), backend.get("k"));
      Lease fresh = backend.tryLease("k", Duration.ofSeconds(10)).orElseThrow();
      assertTrue(backend.setIfLeased("k", fresh, entry("new")));
      assertEquals(Optional.of("new"), backend.get("k").orElseThrow().value());
      Map<String, Lease> batch = backend.tryLeaseAll(List.of("x", "y"), Duration.ofSeconds(10));
      assertEquals(2, batch.size());
      backend.close();
    }
  }
}
