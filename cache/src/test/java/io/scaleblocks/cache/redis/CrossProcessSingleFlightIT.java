package io.scaleblocks.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.cache.CacheAside;
import io.scaleblocks.cache.CacheBackend;
import io.scaleblocks.cache.Codec;
import io.scaleblocks.cache.Loader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.UnifiedJedis;

/**
 * Four cache instances, each with its own Redis connections (as four application servers would
 * have), miss the same keys at the same moment: the Redis lease lets one loader run per key per
 * expiry, and the others read its value.
 */
class CrossProcessSingleFlightIT {

  private static final int INSTANCES = 4;
  private static final int THREADS_PER_INSTANCE = 8;
  private static final int ROUNDS = 10;

  @ParameterizedTest
  @ValueSource(strings = {"standalone", "cluster"})
  void fourInstancesMissingOneKeyTogetherLoadItAtMostOncePerExpiry(String kind) throws Exception {
    int[] perRound = race(kind, true);
    for (int round = 0; round < ROUNDS; round++) {
      assertTrue(perRound[round] <= 1, "round " + round + ": " + perRound[round] + " loads");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"standalone"})
  void withoutLeasesTheSameRaceLoadsOncePerInstance(String kind) throws Exception {
    int total = Arrays.stream(race(kind, false)).sum();
    assertTrue(total > ROUNDS, "without leases the instances should load in parallel: " + total);
  }

  /**
   * Instance a holds the lease of k for a slow load; instance b's getAll(k, j) loads j, then
   * waits for a's value of k instead of loading k too.
   */
  @ParameterizedTest
  @ValueSource(strings = {"standalone", "cluster"})
  void aGetAllWaitsForAnotherInstancesLoadOfOneOfItsKeysAndLoadsOnlyTheRest(String kind) throws Exception {
    String prefix = "it:flight:" + UUID.randomUUID() + ":";
    CountDownLatch aLoading = new CountDownLatch(1);
    CountDownLatch bLoadedTheRest = new CountDownLatch(1);
    List<Set<String>> bLoads = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (UnifiedJedis jedisA = RedisCacheBackendIT.connect(kind); UnifiedJedis jedisB = RedisCacheBackendIT.connect(kind)) {
      CacheAside<String, String> a = CacheAside.<String, String>builder(key -> {
        aLoading.countDown();
        // Held until b has loaded its other key, so b's getAll certainly meets a's lease.
        assertTrue(bLoadedTheRest.await(10, TimeUnit.SECONDS));
        return Optional.of("a's value of " + key);
      }).name("a").backend(RedisCacheBackends.builder(jedisA, Codec.utf8(), Codec.utf8()).prefix(prefix).name("a").build())
          .earlyRefresh(0).build();
      Loader<String, String> bLoader = new Loader<>() {
        @Override
        public Optional<String> load(String key) {
          return Optional.of("b's value of " + key);
        }

        @Override
        public Map<String, String> loadAll(Set<? extends String> keys) {
          bLoads.add(Set.copyOf(keys));
          bLoadedTheRest.countDown();
          Map<String, String> values = new HashMap<>();
          keys.forEach(key -> values.put(key, "b's value of " + key));
          return values;
        }
      };
      CacheAside<String, String> b = CacheAside.builder(bLoader).name("b")
          .backend(RedisCacheBackends.builder(jedisB, Codec.utf8(), Codec.utf8()).prefix(prefix).name("b").build())
          .earlyRefresh(0).build();
      Future<Optional<String>> aRead = pool.submit(() -> a.get("k"));
      assertTrue(aLoading.await(10, TimeUnit.SECONDS));
      Map<String, String> read = b.getAll(List.of("k", "j"));
      assertEquals(Map.of("k", "a's value of k", "j", "b's value of j"), read);
      assertEquals(List.of(Set.of("j")), bLoads, "b loaded only the key no one else was loading");
      assertEquals(Optional.of("a's value of k"), aRead.get(10, TimeUnit.SECONDS));
      a.close();
      b.close();
    } finally {
      pool.shutdownNow();
    }
  }

  private int[] race(String kind, boolean leases) throws Exception {
    int[] perRound = new int[ROUNDS];
    String prefix = "it:flight:" + UUID.randomUUID() + ":";
    ConcurrentHashMap<String, AtomicInteger> loads = new ConcurrentHashMap<>();
    List<UnifiedJedis> clients = new ArrayList<>();
    List<CacheAside<String, String>> caches = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(INSTANCES * THREADS_PER_INSTANCE);
    try {
      for (int i = 0; i < INSTANCES; i++) {
        UnifiedJedis jedis = RedisCacheBackendIT.connect(kind);
        clients.add(jedis);
        CacheBackend<String, String> backend = RedisCacheBackends.builder(jedis, Codec.utf8(), Codec.utf8())
            .prefix(prefix).name("instance-" + i).build();
        caches.add(CacheAside.<String, String>builder(key -> {
          loads.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
          Thread.sleep(50); // a database query
          return Optional.of("value of " + key);
        }).name("instance-" + i).backend(backend).staleSetProtection(leases).earlyRefresh(0).build());
      }
      for (int round = 0; round < ROUNDS; round++) {
        String key = "key-" + round % 3;
        // The entry expires everywhere: gone from Redis and from every instance's local tier.
        caches.get(0).invalidate(key);
        for (CacheAside<String, String> cache : caches) {
          cache.invalidate(key);
        }
        int before = loads.computeIfAbsent(key, k -> new AtomicInteger()).get();
        CyclicBarrier start = new CyclicBarrier(INSTANCES * THREADS_PER_INSTANCE);
        List<Future<Optional<String>>> reads = new ArrayList<>();
        for (CacheAside<String, String> cache : caches) {
          for (int t = 0; t < THREADS_PER_INSTANCE; t++) {
            reads.add(pool.submit(() -> {
              start.await();
              return cache.get(key);
            }));
          }
        }
        for (Future<Optional<String>> read : reads) {
          assertEquals(Optional.of("value of " + key), read.get(10, TimeUnit.SECONDS));
        }
        perRound[round] = loads.get(key).get() - before;
      }
      return perRound;
    } finally {
      pool.shutdownNow();
      caches.forEach(CacheAside::close);
      clients.forEach(UnifiedJedis::close);
    }
  }
}
