package io.scaleblocks.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.cache.CacheBackend;
import io.scaleblocks.cache.CacheEntry;
import io.scaleblocks.cache.Codec;
import io.scaleblocks.cache.InvalidationListener;
import io.scaleblocks.cache.Lease;
import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
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

  /**
   * Two releases of an application share one prefix during a rolling deploy; the second stores
   * users as {@code name;email} where the first stored the name alone. Unversioned, the second
   * decodes the first's entry into a user without an email; with a value codec version each
   * version's entries are misses to the other, and an invalidation from either still reaches
   * the other's entry and its near cache.
   */
  @ParameterizedTest
  @MethodSource("servers")
  void versionsWithDifferentValueCodecVersionsMissEachOthersEntriesButShareInvalidations(String kind)
      throws InterruptedException {
    Codec<String> names = Codec.utf8();
    Codec<String> namesAndEmails = Codec.of(
        user -> user.getBytes(StandardCharsets.UTF_8),
        bytes -> {
          String text = new String(bytes, StandardCharsets.UTF_8);
          return text.contains(";") ? text : text + ";";
        });
    try (UnifiedJedis jedis = connect(kind)) {
      String unversionedPrefix = "it:cache:" + UUID.randomUUID() + ":";
      CacheBackend<String, String> before = RedisCacheBackends.builder(jedis, Codec.utf8(), names)
          .prefix(unversionedPrefix).build();
      CacheBackend<String, String> after = RedisCacheBackends.builder(jedis, Codec.utf8(), namesAndEmails)
          .prefix(unversionedPrefix).build();
      before.set("user:7", entry("Ada"));
      assertEquals(Optional.of("Ada;"), after.get("user:7").orElseThrow().value(),
          "without versions the new codec misreads the old entry");
      before.close();
      after.close();

      String prefix = "it:cache:" + UUID.randomUUID() + ":";
      CacheBackend<String, String> first = RedisCacheBackends.builder(jedis, Codec.utf8(), names)
          .prefix(prefix).valueCodecVersion(1).build();
      CacheBackend<String, String> second = RedisCacheBackends.builder(jedis, Codec.utf8(), namesAndEmails)
          .prefix(prefix).valueCodecVersion(2).build();
      first.set("user:7", entry("Ada"));
      assertEquals(Optional.empty(), second.get("user:7"), "the second version reads the first's entry as a miss");
      assertEquals(Map.of(), second.getAll(List.of("user:7")));
      assertEquals(Optional.of("Ada"), first.get("user:7").orElseThrow().value());
      second.set("user:8", entry("Grace;grace@example.org"));
      assertEquals(Optional.empty(), first.get("user:8"), "the first version reads the second's entry as a miss");
      assertEquals(Optional.of("Grace;grace@example.org"), second.get("user:8").orElseThrow().value());

      BlockingQueue<String> heardByFirst = new LinkedBlockingQueue<>();
      CountDownLatch subscribed = new CountDownLatch(1);
      first.subscribe(new InvalidationListener<>() {
        @Override
        public void invalidated(String key) {
          heardByFirst.add(key);
        }

        @Override
        public void disconnected(Predicate<? super String> covers) {}

        @Override
        public void reconnected(Predicate<? super String> covers) {
          subscribed.countDown();
        }
      });
      assertTrue(subscribed.await(10, TimeUnit.SECONDS), "the first version's subscription was confirmed");
      second.invalidate("user:7");
      assertEquals(Optional.empty(), first.get("user:7"), "the second version's invalidation deleted the first's entry");
      assertEquals("user:7", heardByFirst.poll(10, TimeUnit.SECONDS), "the first version heard the second's invalidation");
      first.close();
      second.close();
    }
  }
}
