package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link CacheAside#getAll} and {@link CacheAside#get} share one load per key, in both directions. */
class GetAllSingleFlightTest {

  private final FakeTime time = new FakeTime();
  private final ExecutorService pool = Executors.newCachedThreadPool();
  /** Keys passed to {@link Loader#load}, in call order. */
  private final List<String> singleLoads = new CopyOnWriteArrayList<>();
  /** Key sets passed to {@link Loader#loadAll}, in call order. */
  private final List<Set<String>> batchLoads = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopThreads() {
    pool.shutdownNow();
  }

  /** A loader that records its calls and runs {@code beforeLoad} / {@code beforeBatch} first. */
  private CacheAside<String, String> cache(Hook beforeLoad, Hook beforeBatch) {
    return CacheAside.<String, String>builder(new Loader<>() {
      @Override
      public Optional<String> load(String key) throws Exception {
        singleLoads.add(key);
        beforeLoad.run();
        return Optional.of("loaded-" + key);
      }

      @Override
      public Map<String, String> loadAll(Set<? extends String> keys) throws Exception {
        batchLoads.add(Set.copyOf(keys));
        beforeBatch.run();
        Map<String, String> found = new HashMap<>();
        keys.forEach(key -> found.put(key, "batch-" + key));
        return found;
      }
    }).ticker(time::nanoTime).clock(time).ttlJitter(0).earlyRefresh(0).recordStats().build();
  }

  @FunctionalInterface
  private interface Hook {
    void run() throws Exception;
  }

  @Test
  void aGetAllJoinsAGetAlreadyLoadingOneOfItsKeysInsteadOfLoadingItAgain() throws Exception {
    CountDownLatch getLoading = new CountDownLatch(1);
    CountDownLatch releaseGet = new CountDownLatch(1);
    CountDownLatch batchLoading = new CountDownLatch(1);
    CacheAside<String, String> cache = cache(() -> {
      getLoading.countDown();
      assertTrue(releaseGet.await(10, TimeUnit.SECONDS));
    }, batchLoading::countDown);

    Future<Optional<String>> get = pool.submit(() -> cache.get("k"));
    assertTrue(getLoading.await(10, TimeUnit.SECONDS));
    Future<Map<String, String>> getAll = pool.submit(() -> cache.getAll(List.of("k", "j")));
    // The batch is loading its own key, so it has already found the get's flight for "k".
    assertTrue(batchLoading.await(10, TimeUnit.SECONDS));
    releaseGet.countDown();

    assertEquals(Optional.of("loaded-k"), get.get(10, TimeUnit.SECONDS));
    assertEquals(Map.of("k", "loaded-k", "j", "batch-j"), getAll.get(10, TimeUnit.SECONDS));
    assertEquals(List.of("k"), singleLoads);
    assertEquals(List.of(Set.of("j")), batchLoads);
    CacheStats stats = cache.stats();
    assertEquals(2, stats.loadSuccesses());
    assertEquals(3, stats.misses());
    assertEquals(Map.of("k", "loaded-k", "j", "batch-j"), cache.getAll(List.of("k", "j")));
    assertEquals(2, cache.stats().hits());
  }

  @Test
  void aGetOfAKeyInARunningGetAllWaitsForTheBatchAndReturnsItsValue() throws Exception {
    CountDownLatch batchLoading = new CountDownLatch(1);
    CountDownLatch releaseBatch = new CountDownLatch(1);
    CacheAside<String, String> cache = cache(() -> { }, () -> {
      batchLoading.countDown();
      assertTrue(releaseBatch.await(10, TimeUnit.SECONDS));
    });

    Future<Map<String, String>> getAll = pool.submit(() -> cache.getAll(List.of("a", "b")));
    assertTrue(batchLoading.await(10, TimeUnit.SECONDS));
    Future<Optional<String>> get = startAndAwaitParked(cache, "a");
    releaseBatch.countDown();

    assertEquals(Map.of("a", "batch-a", "b", "batch-b"), getAll.get(10, TimeUnit.SECONDS));
    assertEquals(Optional.of("batch-a"), get.get(10, TimeUnit.SECONDS));
    assertEquals(List.of(), singleLoads);
    assertEquals(List.of(Set.of("a", "b")), batchLoads);
    assertEquals(1, cache.stats().loadSuccesses());
  }

  @Test
  void aFailingGetAllFailsTheGetWaitingOnItAndLeavesNoFlightBehind() throws Exception {
    CountDownLatch batchLoading = new CountDownLatch(1);
    CountDownLatch releaseBatch = new CountDownLatch(1);
    AtomicInteger batches = new AtomicInteger();
    CacheAside<String, String> cache = cache(() -> { }, () -> {
      if (batches.incrementAndGet() == 1) {
        batchLoading.countDown();
        assertTrue(releaseBatch.await(10, TimeUnit.SECONDS));
        throw new IOException("database down");
      }
    });

    Future<Map<String, String>> getAll = pool.submit(() -> cache.getAll(List.of("a", "b")));
    assertTrue(batchLoading.await(10, TimeUnit.SECONDS));
    Future<Optional<String>> get = startAndAwaitParked(cache, "a");
    releaseBatch.countDown();

    CacheLoadException batchFailure = failure(getAll);
    CacheLoadException getFailure = failure(get);
    assertEquals("cache - loading 2 keys failed", getFailure.getMessage());
    assertInstanceOf(IOException.class, getFailure.getCause());
    assertSame(batchFailure, getFailure);
    assertEquals(List.of(), singleLoads);
    assertEquals(1, cache.stats().loadFailures());

    // Nothing was cached and no flight is left: the next reads load again.
    assertEquals(Optional.of("loaded-a"), pool.submit(() -> cache.get("a")).get(10, TimeUnit.SECONDS));
    assertEquals(Map.of("a", "loaded-a", "b", "batch-b"),
        pool.submit(() -> cache.getAll(List.of("a", "b"))).get(10, TimeUnit.SECONDS));
    assertEquals(List.of("a"), singleLoads);
    assertEquals(List.of(Set.of("a", "b"), Set.of("b")), batchLoads);
  }

  @Test
  void aGetAllWhoseLoaderThrowsAnErrorReleasesItsLeasesAndCountsTheFailure() {
    InMemoryBackend shared = new InMemoryBackend("shared");
    AtomicInteger errors = new AtomicInteger(1);
    CacheAside<String, String> cache = CacheAside.<String, String>builder(new Loader<>() {
      @Override
      public Optional<String> load(String key) {
        return Optional.of("loaded-" + key);
      }

      @Override
      public Map<String, String> loadAll(Set<? extends String> keys) {
        if (errors.getAndDecrement() > 0) {
          throw new NoClassDefFoundError("a driver class");
        }
        Map<String, String> found = new HashMap<>();
        keys.forEach(key -> found.put(key, "batch-" + key));
        return found;
      }
    }).backend(shared).ticker(time::nanoTime).clock(time).ttlJitter(0).earlyRefresh(0).recordStats().build();
    try {
      assertThrows(NoClassDefFoundError.class, () -> cache.getAll(List.of("a", "b")));
      assertEquals(2, shared.released.size(), "both leases given back, so no other instance waits for them");
      assertEquals(1, cache.stats().loadFailures());
      assertEquals(Map.of("a", "batch-a", "b", "batch-b"), cache.getAll(List.of("a", "b")));
      assertEquals(1, cache.stats().loadSuccesses());
    } finally {
      cache.close();
    }
  }

  @Test
  void concurrentGetsAndOverlappingGetAllsLoadEveryKeyExactlyOnceAndNeverDeadlock() throws Exception {
    Map<String, AtomicInteger> loadsPerKey = new ConcurrentHashMap<>();
    CacheAside<String, String> cache = CacheAside.<String, String>builder(new Loader<>() {
      @Override
      public Optional<String> load(String key) {
        loadsPerKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        Thread.yield();
        return Optional.of("v-" + key);
      }

      @Override
      public Map<String, String> loadAll(Set<? extends String> keys) {
        Map<String, String> found = new HashMap<>();
        for (String key : keys) {
          loadsPerKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
          found.put(key, "v-" + key);
        }
        Thread.yield();
        return found;
      }
    }).ticker(time::nanoTime).clock(time).ttlJitter(0).earlyRefresh(0).build();
    int keys = 400;
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Random random = new Random(42 + t);
      workers.add(pool.submit(() -> {
        assertTrue(start.await(10, TimeUnit.SECONDS));
        for (int op = 0; op < 200; op++) {
          if (random.nextInt(3) == 0) {
            String key = "k" + random.nextInt(keys);
            assertEquals(Optional.of("v-" + key), cache.get(key));
          } else {
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
              batch.add("k" + random.nextInt(keys));
            }
            Collections.shuffle(batch, random);
            Map<String, String> values = cache.getAll(batch);
            batch.forEach(key -> assertEquals("v-" + key, values.get(key)));
          }
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> worker : workers) {
      worker.get(30, TimeUnit.SECONDS);
    }
    assertTrue(loadsPerKey.size() > keys / 2, "the workload touched " + loadsPerKey.size() + " keys");
    loadsPerKey.forEach((key, loads) -> assertEquals(1, loads.get(), key + " was loaded " + loads + " times"));
  }

  /** Starts {@code get(key)} and returns once its thread is parked waiting on a flight. */
  private Future<Optional<String>> startAndAwaitParked(CacheAside<String, String> cache, String key)
      throws InterruptedException {
    FutureTask<Optional<String>> task = new FutureTask<>(() -> cache.get(key));
    Thread reader = new Thread(task, "reader-" + key);
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (reader.getState() != Thread.State.WAITING && reader.isAlive()) {
      assertTrue(System.nanoTime() - deadline < 0, "the reader never waited");
      Thread.onSpinWait();
    }
    return task;
  }

  private static CacheLoadException failure(Future<?> future) throws InterruptedException {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return assertInstanceOf(CacheLoadException.class, e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("still running", e);
    }
    throw new AssertionError("expected a CacheLoadException");
  }
}
