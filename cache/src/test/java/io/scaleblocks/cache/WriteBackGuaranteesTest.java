package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Every acknowledged write-back write is stored, named as lost at close, or refused. */
class WriteBackGuaranteesTest {

  /** A row whose {@code equals} compares the id only, as JPA entities' often does. */
  record Row(int id, String text) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Row r && r.id == id;
    }

    @Override
    public int hashCode() {
      return Integer.hashCode(id);
    }
  }

  /** A table that can hold a batch in flight, refuse chosen keys, or throw an Error once. */
  static final class Table<V> implements Store<Integer, V> {
    final ConcurrentHashMap<Integer, V> rows = new ConcurrentHashMap<>();
    final Set<Integer> refused = ConcurrentHashMap.newKeySet();
    /** Keys whose batch makes the driver throw an Error rather than an exception. */
    final Set<Integer> erroring = ConcurrentHashMap.newKeySet();
    volatile boolean down;
    volatile CountDownLatch inFlight;
    volatile CountDownLatch release;
    final AtomicInteger errorsToThrow = new AtomicInteger();

    @Override
    public void write(Integer key, V value) throws Exception {
      writeAll(Map.of(key, value));
    }

    @Override
    public void delete(Integer key) throws Exception {
      deleteAll(Set.of(key));
    }

    @Override
    public void writeAll(Map<? extends Integer, ? extends V> entries) throws Exception {
      check(entries.keySet());
      CountDownLatch started = inFlight;
      if (started != null) {
        inFlight = null;
        started.countDown();
        release.await(10, TimeUnit.SECONDS);
      }
      rows.putAll(entries);
    }

    @Override
    public void deleteAll(Set<? extends Integer> keys) throws Exception {
      check(keys);
      keys.forEach(rows::remove);
    }

    private void check(Set<? extends Integer> keys) throws Exception {
      if (errorsToThrow.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new AssertionError("a driver bug");
      }
      if (down) {
        throw new java.sql.SQLException("connection refused");
      }
      for (Integer key : keys) {
        if (erroring.contains(key)) {
          throw new StackOverflowError("the driver recursed on row " + key);
        }
        if (refused.contains(key)) {
          throw new java.sql.SQLIntegrityConstraintViolationException("row " + key + " violates a constraint");
        }
      }
    }
  }

  private static <V> CacheAsideBuilder<Integer, V> writeBack(Table<V> table) {
    return CacheAside.<Integer, V>builder(key -> Optional.ofNullable(table.rows.get(key)))
        .store(table, WriteStrategy.WRITE_BACK).writeBack(Duration.ofHours(1), 10_000)
        .writeRetries(2, Duration.ZERO).earlyRefresh(0);
  }

  @Test
  void aRewriteDuringAFlushIsStoredEvenWhenTheValuesAreEqualById() throws Exception {
    Table<Row> table = new Table<>();
    CacheAside<Integer, Row> cache = writeBack(table).build();
    cache.write(1, new Row(1, "old"));
    table.inFlight = new CountDownLatch(1);
    table.release = new CountDownLatch(1);
    CountDownLatch started = table.inFlight;
    Thread flusher = new Thread(cache::flush);
    flusher.start();
    assertTrue(started.await(5, TimeUnit.SECONDS));
    cache.write(1, new Row(1, "new"));
    table.release.countDown();
    flusher.join();
    assertTrue(cache.flush());
    assertEquals("new", table.rows.get(1).text(), "the acknowledged rewrite reached the store");
  }

  @Test
  void theFlushOfAnOldWriteLeavesTheNewerValueInTheSharedTierForOtherInstances() throws Exception {
    InMemoryBackend shared = new InMemoryBackend("shared");
    Map<String, String> rows = new ConcurrentHashMap<>();
    CountDownLatch inFlight = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Store<String, String> table = new Store<>() {
      @Override
      public void write(String key, String value) throws Exception {
        inFlight.countDown();
        assertTrue(release.await(10, TimeUnit.SECONDS));
        rows.put(key, value);
      }

      @Override
      public void delete(String key) {
        rows.remove(key);
      }
    };
    CacheAside<String, String> a = CacheAside.<String, String>builder(key -> Optional.ofNullable(rows.get(key)))
        .name("a").backend(shared).store(table, WriteStrategy.WRITE_BACK).writeBack(Duration.ofHours(1), 100)
        .earlyRefresh(0).build();
    CacheAside<String, String> b = CacheAside.<String, String>builder(key -> Optional.ofNullable(rows.get(key)))
        .name("b").backend(shared).earlyRefresh(0).build();
    a.write("k", "v1");
    Thread flusher = new Thread(a::flush);
    flusher.start();
    assertTrue(inFlight.await(5, TimeUnit.SECONDS));
    a.write("k", "v2");
    release.countDown();
    flusher.join();
    assertEquals("v1", rows.get("k"), "the old write reached the store; the new one is pending");
    assertEquals(Optional.of("v2"), b.get("k"), "another instance reads the acknowledged value, not the store's older row");
    a.close();
    b.close();
    assertEquals("v2", rows.get("k"));
  }

  @Test
  void aRowTheStoreAlwaysRefusesIsQuarantinedAndEveryOtherWriteIsStored() {
    Table<String> table = new Table<>();
    table.refused.add(37);
    List<Integer> quarantined = new CopyOnWriteArrayList<>();
    CacheAside<Integer, String> cache = writeBack(table).writeBatchSize(500)
        .onQuarantine((key, cause) -> quarantined.add(key)).build();
    for (int k = 0; k < 100; k++) {
      cache.write(k, "v" + k);
    }
    assertFalse(cache.flush());
    assertEquals(99, table.rows.size(), "every other acknowledged write is stored");
    assertEquals(List.of(37), quarantined);
    assertEquals(1, cache.stats().quarantinedWrites());
    assertEquals(Optional.of("v37"), cache.get(37), "a quarantined write is still what reads see");
    assertFalse(cache.flush());
    assertEquals(List.of(37), quarantined, "reported once, not at every flush");
    table.refused.clear();
    assertTrue(cache.flush(), "quarantined writes are tried again");
    assertEquals("v37", table.rows.get(37));
  }

  @Test
  void anErrorTheStoreThrowsForOneRowQuarantinesThatRowAndStoresEveryOther() {
    Table<String> table = new Table<>();
    table.erroring.add(0);
    List<Integer> quarantined = new CopyOnWriteArrayList<>();
    CacheAside<Integer, String> cache = writeBack(table).writeBatchSize(10)
        .onQuarantine((key, cause) -> quarantined.add(key)).build();
    for (int k = 0; k < 100; k++) {
      cache.write(k, "v" + k);
    }
    for (int flush = 0; flush < 5; flush++) {
      assertFalse(cache.flush());
    }
    assertEquals(99, table.rows.size(), "every other acknowledged write is stored");
    assertFalse(table.rows.containsKey(0));
    assertEquals(List.of(0), quarantined);
    assertEquals(Optional.of("v0"), cache.get(0), "the refused write is still what reads see");
  }

  @Test
  void aRefusedRowThatIsABatchOfItsOwnIsQuarantinedToo() {
    Table<String> table = new Table<>();
    table.refused.add(10);
    List<Integer> quarantined = new CopyOnWriteArrayList<>();
    CacheAside<Integer, String> cache = writeBack(table).writeBatchSize(10)
        .onQuarantine((key, cause) -> quarantined.add(key)).build();
    for (int k = 0; k <= 10; k++) {
      cache.write(k, "v" + k);
    }
    assertFalse(cache.flush());
    assertEquals(10, table.rows.size(), "the first batch is stored");
    assertEquals(List.of(10), quarantined, "the last batch, row 10 alone, is refused and quarantined");
    assertEquals(1, cache.stats().quarantinedWrites());
    assertEquals(Optional.of("v10"), cache.get(10));
    table.refused.clear();
    assertTrue(cache.flush());
    assertEquals("v10", table.rows.get(10));
  }

  @Test
  void aLoneRowThatFailsInAFlushThatStoresNothingIsTakenForAnOutageNotQuarantined() {
    Table<String> table = new Table<>();
    table.refused.add(1);
    List<Integer> quarantined = new CopyOnWriteArrayList<>();
    CacheAside<Integer, String> cache = writeBack(table).onQuarantine((key, cause) -> quarantined.add(key)).build();
    cache.write(1, "a");
    assertFalse(cache.flush());
    assertEquals(List.of(), quarantined, "nothing told the refusal apart from a store that is down");
    cache.write(2, "b");
    assertFalse(cache.flush());
    assertEquals(List.of(1), quarantined, "once another row is stored, the lone failure is a refusal");
    assertEquals("b", table.rows.get(2));
  }

  @Test
  void aStoreThatIsDownQuarantinesNothingAndKeepsEveryWritePending() {
    Table<String> table = new Table<>();
    table.down = true;
    List<Integer> quarantined = new CopyOnWriteArrayList<>();
    CacheAside<Integer, String> cache = writeBack(table).onQuarantine((key, cause) -> quarantined.add(key)).build();
    for (int k = 0; k < 64; k++) {
      cache.write(k, "v" + k);
    }
    assertFalse(cache.flush());
    assertEquals(List.of(), quarantined);
    table.down = false;
    assertTrue(cache.flush());
    assertEquals(64, table.rows.size());
  }

  @Test
  void aWriteAfterCloseIsRefusedRatherThanSilentlyLost() {
    Table<String> table = new Table<>();
    CacheAside<Integer, String> cache = writeBack(table).build();
    cache.write(1, "a");
    cache.close();
    assertEquals("a", table.rows.get(1));
    assertThrows(IllegalStateException.class, () -> cache.write(2, "b"));
    assertThrows(IllegalStateException.class, () -> cache.delete(1));
    assertEquals(Map.of(1, "a"), Map.copyOf(table.rows));
  }

  @Test
  void anErrorInOneScheduledFlushDoesNotStopLaterFlushes() throws Exception {
    Table<String> table = new Table<>();
    table.errorsToThrow.set(1);
    CacheAside<Integer, String> cache = writeBack(table).writeBack(Duration.ofMillis(10), 100).build();
    try {
      cache.write(1, "a");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (table.rows.get(1) == null && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(0, table.errorsToThrow.get(), "the Error was thrown");
      assertEquals("a", table.rows.get(1), "a later scheduled flush stored the write");
    } finally {
      cache.close();
    }
  }

  @Test
  void aWriterOfAFullQueueIsRefusedAfterTheMaximumWait() {
    Table<String> table = new Table<>();
    table.down = true;
    CacheAside<Integer, String> cache = writeBack(table).writeBack(Duration.ofHours(1), 2)
        .maxWriteWait(Duration.ofMillis(50)).build();
    cache.write(1, "a");
    cache.write(2, "b");
    long start = System.nanoTime();
    CacheWriteException e = assertThrows(CacheWriteException.class, () -> cache.write(3, "c"));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(tookMillis >= 40 && tookMillis < 2_000, "waited " + tookMillis + " ms");
    assertTrue(e.getMessage().contains("was not queued"), e.getMessage());
    assertEquals(Optional.empty(), cache.get(3), "a refused write is not cached either");
    cache.write(1, "rewrite of a pending key is never refused for room");
  }

  @Test
  void aWriterBlockedByAFullQueueCanBeInterrupted() throws Exception {
    Table<String> table = new Table<>();
    table.down = true;
    CacheAside<Integer, String> cache = writeBack(table).writeBack(Duration.ofHours(1), 1)
        .maxWriteWait(Duration.ofMinutes(10)).build();
    cache.write(1, "a");
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    AtomicReference<Boolean> interruptKept = new AtomicReference<>();
    Thread writer = new Thread(() -> {
      try {
        cache.write(2, "b");
      } catch (Throwable t) {
        outcome.set(t);
        interruptKept.set(Thread.currentThread().isInterrupted());
      }
    });
    writer.start();
    Thread.sleep(100);
    writer.interrupt();
    writer.join(5_000);
    assertFalse(writer.isAlive(), "the writer ignored its interrupt");
    assertTrue(outcome.get() instanceof CacheWriteException, String.valueOf(outcome.get()));
    assertTrue(interruptKept.get(), "the interrupt status is kept");
  }

  @Test
  void closeNamesTheWritesThatAreLost() {
    Table<String> table = new Table<>();
    table.refused.add(7);
    CacheAside<Integer, String> cache = writeBack(table).build();
    cache.write(6, "six");
    cache.write(7, "seven");
    CacheWriteException e = assertThrows(CacheWriteException.class, cache::close);
    assertEquals("cache - 1 write-back entries could not be stored at close and are lost: [7]", e.getMessage());
    assertEquals("six", table.rows.get(6));
  }

  @Test
  void everyAcknowledgedWriteIsStoredLostByNameOrRefused() throws Exception {
    Table<String> table = new Table<>();
    table.refused.add(13);
    CacheAside<Integer, String> cache = writeBack(table).writeBack(Duration.ofMillis(2), 50)
        .writeBatchSize(16).maxWriteWait(Duration.ofMillis(1)).build();
    Map<Integer, String> acknowledged = new ConcurrentHashMap<>();
    AtomicInteger refusals = new AtomicInteger();
    Thread[] writers = new Thread[3];
    for (int w = 0; w < writers.length; w++) {
      int id = w;
      writers[w] = new Thread(() -> {
        for (int i = 0; i < 3_000; i++) {
          int key = (id * 7919 + i * 31) % 200;
          String value = "w" + id + "-" + i;
          try {
            synchronized (acknowledged) {
              cache.write(key, value);
              acknowledged.put(key, value);
            }
          } catch (CacheWriteException refused) {
            refusals.incrementAndGet();
          }
        }
      });
      writers[w].start();
    }
    for (Thread writer : writers) {
      writer.join();
    }
    CacheWriteException lost = assertThrows(CacheWriteException.class, cache::close);
    assertTrue(lost.getMessage().endsWith("[13]"), lost.getMessage());
    acknowledged.forEach((key, value) -> {
      if (key != 13) {
        assertTrue(Objects.equals(value, table.rows.get(key)), "key " + key + ": acknowledged " + value
            + ", stored " + table.rows.get(key));
      }
    });
  }
}
