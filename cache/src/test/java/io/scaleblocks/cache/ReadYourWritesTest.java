package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** No stale value is put back, and a read that starts after a write returns sees it. */
class ReadYourWritesTest {

  private final FakeTime time = new FakeTime();
  private final Map<String, String> db = new ConcurrentHashMap<>();
  private final AtomicInteger loads = new AtomicInteger();
  private final InMemoryBackend backend = new InMemoryBackend("shared");

  /** A store over {@link #db}. */
  private final Store<String, String> store = new Store<>() {
    @Override
    public void write(String key, String value) {
      db.put(key, value);
    }

    @Override
    public void delete(String key) {
      db.remove(key);
    }
  };

  private CacheAsideBuilder<String, String> builder(Loader<String, String> loader) {
    return CacheAside.builder(loader).ticker(time::nanoTime).clock(time).ttlJitter(0).earlyRefresh(0)
        .ttl(Duration.ofMinutes(10)).store(store, WriteStrategy.WRITE_AROUND);
  }

  private Loader<String, String> db() {
    return key -> {
      loads.incrementAndGet();
      return Optional.ofNullable(db.get(key));
    };
  }

  @Test
  void aRefreshThatCouldNotLeaseDoesNotPutItsValueInTheSharedTier() {
    backend.channelUp();
    db.put("k", "v1");
    Executor sameThread = Runnable::run;
    CacheAside<String, String> cache = builder(key -> {
      time.advance(Duration.ofMinutes(1));
      return Optional.ofNullable(db.get(key));
    }).earlyRefresh(100).refreshExecutor(sameThread).backend(backend).build();
    assertEquals(Optional.of("v1"), cache.get("k"));
    backend.forget("k");
    int setsBefore = backend.sets.get();
    backend.failLease = true;
    time.advance(Duration.ofMinutes(8));
    cache.get("k");
    assertEquals(setsBefore, backend.sets.get(), "the refresh wrote the shared tier without a lease");
    assertFalse(backend.holds("k"));
  }

  @Test
  void aFailedLoadGivesItsLeaseBack() {
    backend.channelUp();
    CacheAside<String, String> cache = builder(key -> {
      throw new java.sql.SQLTransientException("deadlock victim");
    }).backend(backend).build();
    assertThrows(CacheLoadException.class, () -> cache.get("k"));
    assertEquals(1, backend.released.size(), "the lease of the failed load was released");
  }

  @Test
  void aRefreshTheExecutorDropsDoesNotWedgeTheKey() throws Exception {
    db.put("k", "v1");
    CacheAside<String, String> cache = builder(key -> {
      time.advance(Duration.ofMinutes(1));
      return Optional.ofNullable(db.get(key));
    }).earlyRefresh(100).refreshExecutor(task -> { }).build();
    assertEquals(Optional.of("v1"), cache.get("k"));
    time.advance(Duration.ofMinutes(8));
    cache.get("k");
    time.advance(Duration.ofMinutes(5));
    db.put("k", "v2");
    AtomicReference<Optional<String>> read = new AtomicReference<>();
    Thread reader = new Thread(() -> read.set(cache.get("k")));
    reader.start();
    reader.join(3_000);
    assertFalse(reader.isAlive(), "a miss waited for a refresh that never ran");
    assertEquals(Optional.of("v2"), read.get());
  }

  @Test
  void aGetAfterAWriteReturnsTheWrittenValueNotTheOneARunningLoadRead() throws Exception {
    db.put("k", "v1");
    CountDownLatch loaderRead = new CountDownLatch(1);
    CountDownLatch releaseLoader = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    CacheAside<String, String> cache = builder(key -> {
      String value = db.get(key);
      if (calls.incrementAndGet() == 1) {
        loaderRead.countDown();
        releaseLoader.await(10, TimeUnit.SECONDS);
      }
      return Optional.ofNullable(value);
    }).build();
    Thread slowReader = new Thread(() -> cache.get("k"));
    slowReader.start();
    assertTrue(loaderRead.await(5, TimeUnit.SECONDS));
    cache.write("k", "v2");
    AtomicReference<Optional<String>> read = new AtomicReference<>();
    Thread reader = new Thread(() -> read.set(cache.get("k")));
    reader.start();
    reader.join(2_000);
    releaseLoader.countDown();
    reader.join(5_000);
    slowReader.join(5_000);
    assertEquals(Optional.of("v2"), read.get(), "a get that started after write() returned");
    assertEquals(Optional.of("v2"), cache.get("k"), "and nothing stale was put back");
  }

  @Test
  void aWriteWhoseSharedInvalidationFailedIsRetriedAndTheWriterReadsAroundTheSharedTier() throws Exception {
    backend.channelUp();
    db.put("k", "v1");
    CacheAside<String, String> cache = builder(db()).backend(backend).build();
    assertEquals(Optional.of("v1"), cache.get("k"));
    assertTrue(backend.holds("k"));
    backend.failInvalidate = true;
    cache.write("k", "v2");
    time.advance(Duration.ofMinutes(5));
    assertEquals(Optional.of("v2"), cache.get("k"), "the writer read the replaced value back from the shared tier");
    backend.failInvalidate = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (backend.holds("k") && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertFalse(backend.holds("k") && backend.get("k").get().value().equals(Optional.of("v1")),
        "the undelivered invalidation was delivered once the shared tier answered");
    cache.close();
  }

  @Test
  void aReadDuringAnInvalidationCannotRefillTheOldValueFromTheSharedTier() {
    backend.channelUp();
    db.put("k", "v1");
    CacheAside<String, String> cache = builder(db()).backend(backend).build();
    assertEquals(Optional.of("v1"), cache.get("k"));
    db.put("k", "v2");
    backend.deliver = false;
    AtomicReference<Optional<String>> duringInvalidation = new AtomicReference<>();
    backend.duringInvalidate = () -> {
      backend.duringInvalidate = () -> { };
      duringInvalidation.set(cache.get("k"));
    };
    cache.invalidate("k");
    assertEquals(Optional.of("v2"), cache.get("k"), "the writer's next read");
  }

  @Test
  void concurrentWriteThroughWritesLeaveTheCacheAgreeingWithTheStore() throws Exception {
    CountDownLatch firstStored = new CountDownLatch(1);
    CountDownLatch commitFirst = new CountDownLatch(1);
    Store<String, String> slowCommit = new Store<>() {
      @Override
      public void write(String key, String value) throws Exception {
        db.put(key, value);
        if (value.equals("first")) {
          firstStored.countDown();
          commitFirst.await(10, TimeUnit.SECONDS);
        }
      }

      @Override
      public void delete(String key) {
        db.remove(key);
      }
    };
    CacheAside<String, String> cache = CacheAside.<String, String>builder(db()).ticker(time::nanoTime)
        .clock(time).earlyRefresh(0).store(slowCommit, WriteStrategy.WRITE_THROUGH).build();
    Thread first = new Thread(() -> cache.write("k", "first"));
    first.start();
    assertTrue(firstStored.await(5, TimeUnit.SECONDS));
    Thread second = new Thread(() -> cache.write("k", "second"));
    second.start();
    second.join(200);
    commitFirst.countDown();
    first.join(5_000);
    second.join(5_000);
    assertEquals(Optional.ofNullable(db.get("k")), cache.get("k"), "cache and store agree");
  }

  @Test
  void aLoadAllThatReturnsNullFailsAsALoadFailure() {
    CacheAside<String, String> cache = builder(new Loader<>() {
      @Override
      public Optional<String> load(String key) {
        return Optional.empty();
      }

      @Override
      public Map<String, String> loadAll(Set<? extends String> keys) {
        return null;
      }
    }).build();
    assertThrows(CacheLoadException.class, () -> cache.getAll(List.of("a", "b")));
    assertEquals(0, cache.stats().loadSuccesses());
    assertEquals(1, cache.stats().loadFailures());
  }

  @Test
  void aCacheThatCountedNoReadHasNoHitRatio() {
    CacheAside<String, String> cache = builder(db()).build();
    cache.get("k");
    assertTrue(Double.isNaN(cache.stats().hitRatio()), "hits and misses are counted only with recordStats");
  }
}
