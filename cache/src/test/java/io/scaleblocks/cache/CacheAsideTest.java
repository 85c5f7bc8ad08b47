package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CacheAsideTest {

  private final FakeTime time = new FakeTime();
  private final Map<String, String> db = new ConcurrentHashMap<>();
  private final AtomicInteger loads = new AtomicInteger();

  private CacheAsideBuilder<String, String> builder() {
    return CacheAside.<String, String>builder(key -> {
      loads.incrementAndGet();
      return Optional.ofNullable(db.get(key));
    }).ticker(time::nanoTime).clock(time).ttlJitter(0).earlyRefresh(0).recordStats();
  }

  @ParameterizedTest
  @EnumSource(EvictionPolicy.class)
  void aMissLoadsOnceAndLaterReadsHitUntilTheTtl(EvictionPolicy policy) {
    db.put("a", "1");
    CacheAside<String, String> cache = builder().policy(policy).ttl(Duration.ofSeconds(10)).build();
    assertEquals(Optional.of("1"), cache.get("a"));
    db.put("a", "2");
    time.advance(Duration.ofSeconds(9));
    assertEquals(Optional.of("1"), cache.get("a"));
    time.advance(Duration.ofSeconds(1));
    assertEquals(Optional.of("2"), cache.get("a"));
    assertEquals(2, loads.get());
    CacheStats stats = cache.stats();
    assertEquals(1, stats.hits());
    assertEquals(2, stats.misses());
  }

  @Test
  void notFoundIsCachedForTheNegativeTtlOnly() {
    CacheAside<String, String> cache = builder().ttl(Duration.ofMinutes(10))
        .negativeTtl(Duration.ofSeconds(5)).build();
    assertEquals(Optional.empty(), cache.get("ghost"));
    assertEquals(Optional.empty(), cache.get("ghost"));
    assertEquals(1, loads.get());
    db.put("ghost", "now here");
    time.advance(Duration.ofSeconds(5));
    assertEquals(Optional.of("now here"), cache.get("ghost"));
    assertEquals(2, loads.get());
  }

  @Test
  void aZeroNegativeTtlDoesNotCacheNotFound() {
    CacheAside<String, String> cache = builder().negativeTtl(Duration.ZERO).build();
    cache.get("ghost");
    cache.get("ghost");
    assertEquals(2, loads.get());
  }

  @Test
  void invalidateAndPutChangeWhatTheNextReadSees() {
    db.put("a", "1");
    CacheAside<String, String> cache = builder().build();
    cache.get("a");
    db.put("a", "2");
    cache.invalidate("a");
    assertEquals(Optional.of("2"), cache.get("a"));
    cache.put("a", "3");
    assertEquals(Optional.of("3"), cache.get("a"));
    assertEquals(2, loads.get());
  }

  @ParameterizedTest
  @EnumSource(EvictionPolicy.class)
  void aPutOverAPutOrALoadReplacesTheValueAndRestartsItsTtl(EvictionPolicy policy) {
    db.put("a", "loaded");
    CacheAside<String, String> cache = builder().policy(policy).ttl(Duration.ofSeconds(10)).build();
    assertEquals(Optional.of("loaded"), cache.get("a"));
    time.advance(Duration.ofSeconds(6));
    cache.put("a", "1");
    time.advance(Duration.ofSeconds(6));
    cache.put("a", "2");
    time.advance(Duration.ofSeconds(6));
    assertEquals(Optional.of("2"), cache.get("a"), "the second put restarted the TTL");
    time.advance(Duration.ofSeconds(4));
    assertEquals(Optional.of("loaded"), cache.get("a"), "ten seconds after the last put");
    assertEquals(2, loads.get());
    assertEquals(4, cache.stats().puts(), "two puts and two fills: " + cache.stats());
  }

  @Test
  void readersNeverSeeAnOlderValueThanOneTheyHaveSeenWhilePutsRewriteAKey() throws Exception {
    AtomicInteger latest = new AtomicInteger();
    CacheAside<String, Integer> cache = CacheAside.<String, Integer>builder(
        key -> Optional.of(latest.get())).maximumSize(1_000).build();
    int puts = 200_000;
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Integer>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(pool.submit(() -> {
          int seen = 0;
          int reads = 0;
          while (seen < puts) {
            int value = cache.get("k").orElseThrow();
            if (value < seen) {
              throw new AssertionError("read " + value + " after " + seen);
            }
            seen = value;
            reads++;
          }
          return reads;
        }));
      }
      pool.submit(() -> {
        for (int i = 1; i <= puts; i++) {
          latest.set(i);
          cache.put("k", i);
        }
      }).get(30, TimeUnit.SECONDS);
      for (Future<Integer> reader : readers) {
        assertTrue(reader.get(30, TimeUnit.SECONDS) > 0);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aLoaderThatAsksTheCacheForItsOwnKeyFailsInsteadOfWaitingForItself() throws Exception {
    AtomicReference<CacheAside<String, String>> self = new AtomicReference<>();
    CacheAside<String, String> cache = CacheAside.<String, String>builder(key -> switch (key) {
      case "loop" -> self.get().get("loop");
      case "a" -> Optional.of("a needs " + self.get().get("b").orElseThrow());
      default -> Optional.of(key);
    }).ticker(time::nanoTime).clock(time).build();
    self.set(cache);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Throwable> outcome = pool.submit(() -> assertThrows(CacheLoadException.class, () -> cache.get("loop")));
      Throwable failure = outcome.get(10, TimeUnit.SECONDS);
      assertTrue(failure.getCause() instanceof IllegalStateException, String.valueOf(failure.getCause()));
      assertTrue(failure.getCause().getMessage().contains("loop"), failure.getCause().getMessage());
      assertThrows(CacheLoadException.class, () -> cache.getAll(List.of("loop")), "a batch fails the same way");
      // Reading other keys through the cache from a loader is fine, and nothing was left in flight.
      assertEquals(Optional.of("a needs b"), pool.submit(() -> cache.get("a")).get(10, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoLoadersThatReadEachOthersKeyFailInsteadOfWaitingForEachOtherForever() throws Exception {
    AtomicReference<CacheAside<String, String>> self = new AtomicReference<>();
    CyclicBarrier bothLoading = new CyclicBarrier(2);
    AtomicBoolean cyclic = new AtomicBoolean(true);
    CacheAside<String, String> cache = CacheAside.<String, String>builder(key -> {
      if (cyclic.get()) {
        bothLoading.await(10, TimeUnit.SECONDS);
        return Optional.of(key + " needs " + self.get().get(key.equals("a") ? "b" : "a").orElseThrow());
      }
      return Optional.of(key);
    }).ticker(time::nanoTime).clock(time).build();
    self.set(cache);
    assertBothFailWithACycle(() -> cache.get("a"), () -> cache.get("b"));
    cyclic.set(false);
    assertEquals(Optional.of("a"), cache.get("a"), "no load was left in flight");
    assertEquals(Optional.of("b"), cache.get("b"), "no load was left in flight");
  }

  @Test
  void loadersOfTwoCachesThatReadEachOtherFailInsteadOfWaitingForever() throws Exception {
    AtomicReference<CacheAside<String, String>> users = new AtomicReference<>();
    AtomicReference<CacheAside<String, String>> teams = new AtomicReference<>();
    CyclicBarrier bothLoading = new CyclicBarrier(2);
    users.set(CacheAside.<String, String>builder(key -> {
      bothLoading.await(10, TimeUnit.SECONDS);
      return teams.get().get("team of " + key).map(team -> key + " leads " + team);
    }).ticker(time::nanoTime).clock(time).build());
    teams.set(CacheAside.<String, String>builder(key -> {
      bothLoading.await(10, TimeUnit.SECONDS);
      return users.get().get("ann").map(lead -> key + " led by " + lead);
    }).ticker(time::nanoTime).clock(time).build());
    assertBothFailWithACycle(() -> users.get().get("ann"), () -> teams.get().get("team of ann"));
  }

  /** Runs both reads at once: each must fail within seconds, and at least one names the cycle. */
  private static void assertBothFailWithACycle(Callable<?> one, Callable<?> other)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> first = pool.submit(one);
      Future<?> second = pool.submit(other);
      List<Throwable> failures = new ArrayList<>();
      for (Future<?> read : List.of(first, second)) {
        ExecutionException failed =
            assertThrows(ExecutionException.class, () -> read.get(10, TimeUnit.SECONDS));
        assertTrue(failed.getCause() instanceof CacheLoadException, String.valueOf(failed.getCause()));
        failures.add(failed.getCause());
      }
      assertTrue(failures.stream().anyMatch(CacheAsideTest::namesACycle), String.valueOf(failures));
    } finally {
      pool.shutdownNow();
    }
  }

  private static boolean namesACycle(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof IllegalStateException && cause.getMessage().contains("each other's keys")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void getAllLoadsEveryMissInOneBatchAndCachesNotFound() {
    db.put("a", "1");
    db.put("b", "2");
    List<Set<? extends String>> batches = new ArrayList<>();
    CacheAside<String, String> cache = CacheAside.<String, String>builder(new Loader<>() {
      @Override
      public Optional<String> load(String key) {
        throw new AssertionError("getAll must batch");
      }

      @Override
      public Map<String, String> loadAll(Set<? extends String> keys) {
        batches.add(Set.copyOf(keys));
        Map<String, String> found = new HashMap<>();
        keys.forEach(k -> { if (db.containsKey(k)) found.put(k, db.get(k)); });
        return found;
      }
    }).ticker(time::nanoTime).clock(time).build();
    cache.put("c", "3");
    assertEquals(Map.of("a", "1", "b", "2", "c", "3"), cache.getAll(List.of("a", "b", "c", "x")));
    assertEquals(List.of(Set.of("a", "b", "x")), batches);
    assertEquals(Map.of("a", "1"), cache.getAll(List.of("a", "x")));
    assertEquals(1, batches.size());
  }

  @Test
  void twoHundredFiftySixThreadsMissingOneKeyCauseExactlyOneLoad() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CacheAside<String, String> cache = CacheAside.<String, String>builder(key -> {
      loads.incrementAndGet();
      release.await(10, TimeUnit.SECONDS);
      return Optional.of("v");
    }).build();
    int threads = 256;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CyclicBarrier start = new CyclicBarrier(threads);
      List<Future<Optional<String>>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return cache.get("hot");
        }));
      }
      while (loads.get() == 0) {
        Thread.onSpinWait();
      }
      Thread.sleep(50); // let every thread reach the cache while the one load is held
      release.countDown();
      for (Future<Optional<String>> result : results) {
        assertEquals(Optional.of("v"), result.get(10, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, loads.get());
  }

  @Test
  void aFailingLoaderReachesEveryWaiterAndIsNotCached() {
    CacheAside<String, String> cache = CacheAside.<String, String>builder(key -> {
      if (loads.incrementAndGet() == 1) {
        throw new java.io.IOException("database down");
      }
      return Optional.of("ok");
    }).build();
    CacheLoadException e = assertThrows(CacheLoadException.class, () -> cache.get("k"));
    assertEquals("cache - loading k failed", e.getMessage());
    assertEquals(Optional.of("ok"), cache.get("k"));
    assertEquals(1, cache.stats().loadFailures());
  }

  @Test
  void ttlJitterSpreadsTheExpiryOfKeysLoadedTogether() {
    for (int i = 0; i < 1000; i++) {
      db.put("k" + i, "v");
    }
    CacheAside<String, String> cache = builder().ttl(Duration.ofSeconds(100)).ttlJitter(0.2)
        .maximumSize(5000).build();
    for (int i = 0; i < 1000; i++) {
      cache.get("k" + i);
    }
    int[] reloadsPerSecond = new int[101];
    for (int second = 1; second <= 100; second++) {
      time.advance(Duration.ofSeconds(1));
      int before = loads.get();
      for (int i = 0; i < 1000; i++) {
        cache.get("k" + i);
      }
      reloadsPerSecond[second] = loads.get() - before;
    }
    int inFirst80 = 0;
    int maxPerSecond = 0;
    for (int s = 1; s <= 100; s++) {
      if (s < 80) inFirst80 += reloadsPerSecond[s];
      maxPerSecond = Math.max(maxPerSecond, reloadsPerSecond[s]);
    }
    assertEquals(0, inFirst80, "nothing expires before ttl * (1 - jitter)");
    assertTrue(maxPerSecond < 120, "expiries are spread over 20 s, at most " + maxPerSecond + " in one second");
  }

  @Test
  void badSettingsAreRejectedWithTheirValue() {
    var e = assertThrows(IllegalArgumentException.class, () -> builder().ttlJitter(1.5));
    assertEquals("ttlJitter must be in [0, 1) but was 1.5", e.getMessage());
    var d = assertThrows(IllegalArgumentException.class,
        () -> builder().from(Map.of("ttl", "-3s")));
    assertTrue(d.getMessage().startsWith("cache: 'ttl' must be between 1ns and"), d.getMessage());
    var big = assertThrows(IllegalArgumentException.class,
        () -> builder().from(Map.of("max-pending-writes", "4294967296")));
    assertEquals("cache: 'max-pending-writes' must be between 1 and 2147483647 but was '4294967296'", big.getMessage());
    var u = assertThrows(IllegalArgumentException.class, () -> builder().from(Map.of("tll", "3s")));
    assertTrue(u.getMessage().startsWith("cache: unknown setting 'tll'"), u.getMessage());
    assertThrows(IllegalStateException.class, () -> builder().writeStrategy(WriteStrategy.WRITE_BACK).build());
  }
}
