package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WriteStrategyTest {

  /** A database table that counts the rows it writes and can be told to fail. */
  static final class Table implements Store<Integer, String> {
    final ConcurrentHashMap<Integer, String> rows = new ConcurrentHashMap<>();
    final AtomicInteger rowsWritten = new AtomicInteger();
    final AtomicInteger batches = new AtomicInteger();
    volatile int failNextCalls;
    volatile CountDownLatch gate;

    @Override
    public void write(Integer key, String value) throws Exception {
      maybeFail();
      rows.put(key, value);
      rowsWritten.incrementAndGet();
    }

    @Override
    public void delete(Integer key) throws Exception {
      maybeFail();
      rows.remove(key);
      rowsWritten.incrementAndGet();
    }

    @Override
    public void writeAll(Map<? extends Integer, ? extends String> entries) throws Exception {
      maybeFail();
      batches.incrementAndGet();
      rows.putAll(entries);
      rowsWritten.addAndGet(entries.size());
    }

    @Override
    public void deleteAll(Set<? extends Integer> keys) throws Exception {
      maybeFail();
      keys.forEach(rows::remove);
      rowsWritten.addAndGet(keys.size());
    }

    private void maybeFail() throws Exception {
      CountDownLatch g = gate;
      if (g != null) {
        g.await(10, TimeUnit.SECONDS);
      }
      synchronized (this) {
        if (failNextCalls > 0) {
          failNextCalls--;
          throw new java.sql.SQLException("connection reset");
        }
      }
    }

    Loader<Integer, String> loader() {
      return key -> Optional.ofNullable(rows.get(key));
    }
  }

  private final Table table = new Table();
  private final FakeTime time = new FakeTime();

  private CacheAsideBuilder<Integer, String> builder(WriteStrategy strategy) {
    return CacheAside.builder(table.loader()).store(table, strategy).ticker(time::nanoTime)
        .clock(time).earlyRefresh(0).writeBack(Duration.ofHours(1), 10_000);
  }

  @Test
  void writeThroughStoresThenCachesAndAFailedStoreLeavesTheCacheAlone() {
    TieredCacheAside<Integer, String> cache = (TieredCacheAside<Integer, String>) builder(WriteStrategy.WRITE_THROUGH).build();
    cache.write(1, "a");
    assertEquals("a", table.rows.get(1));
    assertEquals(Optional.of(Optional.of("a")), cache.peek(1));
    table.failNextCalls = 1;
    assertThrows(CacheWriteException.class, () -> cache.write(1, "b"));
    assertEquals(Optional.of("a"), cache.get(1));
  }

  @Test
  void writeAroundStoresThenInvalidates() {
    TieredCacheAside<Integer, String> cache = (TieredCacheAside<Integer, String>) builder(WriteStrategy.WRITE_AROUND).build();
    table.rows.put(1, "a");
    cache.get(1);
    cache.write(1, "b");
    assertEquals(Optional.empty(), cache.peek(1));
    assertEquals(Optional.of("b"), cache.get(1));
    cache.delete(1);
    assertEquals(Optional.empty(), cache.get(1));
  }

  @Test
  void writeBackCachesAtOnceStoresOnFlushAndReadsItsOwnPendingWritesAfterEviction() {
    CacheAside<Integer, String> cache = builder(WriteStrategy.WRITE_BACK).maximumSize(1)
        .policy(EvictionPolicy.LRU).build();
    table.rows.put(1, "old");
    cache.write(1, "new");
    cache.write(2, "two");
    assertEquals("old", table.rows.get(1));
    assertEquals(Optional.of("new"), cache.get(1), "pending write wins over the store");
    cache.delete(2);
    assertEquals(Optional.empty(), cache.get(2));
    assertTrue(cache.flush());
    assertEquals(Map.of(1, "new"), table.rows);
  }

  /**
   * Zipf(0.9) updates over 10,000 keys at 50,000 writes per second, flushed every second of
   * simulated time. Coalescing depends on skew, key space and rate, so the slower stream's
   * figure is pinned too.
   */
  @Test
  void aZipfUpdateStreamFlushedEverySecondCoalescesToAtMostOneFifthTheStoreWrites() {
    double ratio = storeWritesPerCacheWrite(0.9, 50_000);
    assertTrue(ratio <= 0.2, "store writes per cache write: " + ratio);
    assertEquals(0.1574, ratio, 0.00005);
    assertEquals(0.2638, storeWritesPerCacheWrite(0.9, 20_000), 0.00005,
        "a slower stream coalesces less: the bound holds from about 30,000 writes/s on this key space");
  }

  private double storeWritesPerCacheWrite(double skew, int writesPerSecond) {
    Table store = new Table();
    CacheAside<Integer, String> cache = CacheAside.builder(store.loader())
        .store(store, WriteStrategy.WRITE_BACK).writeBack(Duration.ofHours(1), 20_000)
        .ticker(time::nanoTime).clock(time).maximumSize(20_000).build();
    int seconds = 30;
    int[] keys = Zipf.trace(10_000, skew, 11, writesPerSecond * seconds);
    for (int i = 0; i < keys.length; i++) {
      cache.write(keys[i], "v" + i);
      if ((i + 1) % writesPerSecond == 0) {
        time.advance(Duration.ofSeconds(1));
        cache.flush();
      }
    }
    cache.close();
    // Coalescing is exact: one store write per distinct key per flush window, the least any
    // write-back can do at this rate and key space.
    long distinctPerWindow = 0;
    for (int from = 0; from < keys.length; from += writesPerSecond) {
      distinctPerWindow += Arrays.stream(keys, from, Math.min(keys.length, from + writesPerSecond))
          .distinct().count();
    }
    assertEquals(distinctPerWindow, store.rowsWritten.get(), "store rows vs distinct keys per flush");
    double ratio = store.rowsWritten.get() / (double) keys.length;
    System.out.printf("write-back, Zipf(%s) over 10^4 keys, %d writes/s, 1 s flush: %d cache writes,"
        + " %d store rows, %.4f store writes per cache write%n",
        skew, writesPerSecond, keys.length, store.rowsWritten.get(), ratio);
    return ratio;
  }

  @Test
  void failedBatchesAreRetriedWithDoublingBackOff() {
    List<Long> sleeps = new ArrayList<>();
    CacheAside<Integer, String> cache = builder(WriteStrategy.WRITE_BACK)
        .writeRetries(4, Duration.ofMillis(50)).sleeper(sleeps::add).build();
    cache.write(1, "a");
    table.failNextCalls = 2;
    assertTrue(cache.flush());
    assertEquals(List.of(50_000_000L, 100_000_000L), sleeps);
    assertEquals("a", table.rows.get(1));
    table.failNextCalls = 10;
    cache.write(2, "b");
    assertFalse(cache.flush(), "after the last attempt the batch stays pending");
    table.failNextCalls = 0;
    assertTrue(cache.flush());
    assertEquals("b", table.rows.get(2));
  }

  @Test
  void aFullQueueBlocksWritersUntilAFlushMakesRoom() throws Exception {
    TieredCacheAside<Integer, String> cache = (TieredCacheAside<Integer, String>) builder(WriteStrategy.WRITE_BACK)
        .writeBack(Duration.ofHours(1), 4).build();
    for (int k = 0; k < 4; k++) {
      cache.write(k, "v");
    }
    cache.write(3, "rewrite of a pending key does not block");
    CountDownLatch written = new CountDownLatch(1);
    Thread writer = new Thread(() -> {
      cache.write(99, "blocked");
      written.countDown();
    });
    writer.start();
    assertFalse(written.await(200, TimeUnit.MILLISECONDS), "the fifth key must wait");
    cache.flush();
    assertTrue(written.await(5, TimeUnit.SECONDS));
    writer.join();
    assertEquals(1, cache.pendingWrites());
  }

  @Test
  void closeStoresEveryAcknowledgedWriteEvenThroughStoreFailures() throws Exception {
    CacheAside<Integer, String> cache = builder(WriteStrategy.WRITE_BACK).writeBatchSize(50)
        .writeRetries(3, Duration.ZERO).writeBack(Duration.ofMillis(5), 200).build();
    int writers = 4;
    Map<Integer, String> acknowledged = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int id = w;
      threads.add(new Thread(() -> {
        for (int i = 0; i < 5_000; i++) {
          int key = id * 1000 + (i * 7) % 500;
          if (i % 100 == 0) {
            synchronized (table) {
              table.failNextCalls = 1;
            }
          }
          cache.write(key, "w" + id + "-" + i);
          acknowledged.put(key, "w" + id + "-" + i);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    cache.close();
    assertEquals(new HashMap<>(acknowledged), new HashMap<>(table.rows));
  }

  @Test
  void closeReportsWritesTheStoreStillRefuses() {
    CacheAside<Integer, String> cache = builder(WriteStrategy.WRITE_BACK).writeRetries(2, Duration.ZERO).build();
    cache.write(1, "a");
    table.failNextCalls = 100;
    CacheWriteException e = assertThrows(CacheWriteException.class, cache::close);
    assertEquals("cache - 1 write-back entries could not be stored at close and are lost: [1]", e.getMessage());
  }
}
