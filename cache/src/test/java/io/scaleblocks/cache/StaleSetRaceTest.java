package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Readers whose loads are slow race writers that update the database and invalidate. With
 * stale-set protection the cache ends agreeing with the database on every key; plain
 * cache-aside, run through the same race, ends with old values cached.
 */
class StaleSetRaceTest {

  private static final int KEYS = 32;

  @Test
  void protectedFillsLeaveNoStaleEntries() throws Exception {
    assertEquals(0, staleEntriesAfterRace(true, 1));
  }

  @Test
  void plainCacheAsideLeavesStaleEntriesInTheSameRace() throws Exception {
    int stale = staleEntriesAfterRace(false, 1);
    System.out.println("plain cache-aside: " + stale + " of " + KEYS + " keys stale after the race");
    assertTrue(stale > 0, "the race must be able to produce stale sets");
  }

  static int staleEntriesAfterRace(boolean protect, long seed) throws Exception {
    return staleEntriesAfterRace(protect, seed, null);
  }

  /**
   * Runs the race and counts keys whose cached value differs from the database: in the local
   * tier, and, with a backend, in the backend as a fresh instance reads it.
   */
  static int staleEntriesAfterRace(boolean protect, long seed,
      Supplier<CacheBackend<Integer, Integer>> backends) throws Exception {
    ConcurrentHashMap<Integer, Integer> db = new ConcurrentHashMap<>();
    for (int k = 0; k < KEYS; k++) {
      db.put(k, 0);
    }
    CacheAsideBuilder<Integer, Integer> builder =
        CacheAside.<Integer, Integer>builder(key -> {
          Integer value = db.get(key);
          // A slow reader: the value was read, the fill has not happened yet.
          LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200 + (key * 37) % 300));
          return Optional.ofNullable(value);
        }).store(new Store<>() {
          @Override
          public void write(Integer key, Integer value) {
            db.put(key, value);
          }

          @Override
          public void delete(Integer key) {
            db.remove(key);
          }
        }, WriteStrategy.WRITE_AROUND).staleSetProtection(protect).earlyRefresh(0);
    if (backends != null) {
      builder.backend(backends.get());
    }
    TieredCacheAside<Integer, Integer> cache = (TieredCacheAside<Integer, Integer>) builder.build();

    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> threads = new ArrayList<>();
    for (int r = 0; r < 6; r++) {
      SplittableRandom random = new SplittableRandom(seed * 100 + r);
      threads.add(new Thread(() -> {
        while (running.get()) {
          cache.get(random.nextInt(KEYS));
        }
      }));
    }
    for (int w = 0; w < 2; w++) {
      SplittableRandom random = new SplittableRandom(seed * 1000 + w);
      threads.add(new Thread(() -> {
        int version = 0;
        while (running.get()) {
          // Two writes to one key in quick succession: the first sends readers to the
          // database, the second often lands while their slow fill is still under way.
          int key = random.nextInt(KEYS);
          cache.write(key, ++version * 10 + key % 10);
          LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextInt(300)));
          cache.write(key, ++version * 10 + key % 10);
          LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextInt(400)));
        }
      }));
    }
    threads.forEach(Thread::start);
    Thread.sleep(1500);
    running.set(false);
    for (Thread thread : threads) {
      thread.join();
    }
    int stale = 0;
    for (int k = 0; k < KEYS; k++) {
      Optional<Optional<Integer>> cached = cache.peek(k);
      if (cached.isPresent() && !cached.get().equals(Optional.ofNullable(db.get(k)))) {
        stale++;
      }
    }
    if (backends != null) {
      CacheAside<Integer, Integer> fresh = CacheAside.<Integer, Integer>builder(key -> Optional.ofNullable(db.get(key)))
          .backend(backends.get()).earlyRefresh(0).build();
      for (int k = 0; k < KEYS; k++) {
        if (!fresh.get(k).equals(Optional.ofNullable(db.get(k)))) {
          stale++;
        }
      }
    }
    return stale;
  }
}
