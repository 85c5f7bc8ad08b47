package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Near-cache trust over invalidation channels that never confirm, drop and come back, for one
 * backend and per shard of a sharded one. Time moves only on the fake ticker.
 */
class NearCacheTest {

  private static final Duration BOUND = Duration.ofSeconds(1);
  private static final int KEYS = 300;

  private final FakeTime time = new FakeTime();
  private final Map<String, String> db = new ConcurrentHashMap<>();
  private final AtomicInteger loads = new AtomicInteger();

  private TieredCacheAside<String, String> cache(CacheBackend<String, String> backend, EvictionPolicy policy,
      boolean recordStats) {
    CacheAsideBuilder<String, String> builder = CacheAside.<String, String>builder(key -> {
      loads.incrementAndGet();
      return Optional.ofNullable(db.get(key));
    }).ticker(time::nanoTime).clock(time).ttlJitter(0).earlyRefresh(0).ttl(Duration.ofHours(1))
        .policy(policy).backend(backend).nearCacheStaleness(BOUND);
    if (recordStats) {
      builder.recordStats();
    }
    return (TieredCacheAside<String, String>) builder.build();
  }

  /** Another instance writes {@code key}: the database, then an invalidation through the shared tier. */
  private void writeElsewhere(CacheBackend<String, String> backend, String key, String value) {
    db.put(key, value);
    backend.invalidate(key);
  }

  @ParameterizedTest(name = "recordStats={0}")
  @CsvSource({"false", "true"})
  void aSubscriptionThatNeverConfirmsServesLocalEntriesUntilTheBoundAndNeverAfter(boolean recordStats) {
    InMemoryBackend backend = new InMemoryBackend("unconfirmed");
    TieredCacheAside<String, String> cache = cache(backend, EvictionPolicy.DEFAULT, recordStats);
    db.put("a", "1");
    assertEquals(Optional.of("1"), cache.get("a"));
    assertEquals(1, loads.get());

    // Missed: the channel was never confirmed.
    writeElsewhere(backend, "a", "2");
    time.advance(BOUND);
    assertEquals(Optional.of("1"), cache.get("a"), "within the bound the local entry is served");
    assertEquals(1, loads.get());

    time.advanceNanos(1);
    assertEquals(Optional.of("2"), cache.get("a"), "past the bound the read goes to the loader");
    assertEquals(2, loads.get());
    // Loaded while the channel is down: served for one bound from its own load, then reloaded.
    writeElsewhere(backend, "a", "3");
    time.advance(BOUND);
    assertEquals(Optional.of("2"), cache.get("a"), "an entry loaded during the outage is served for a bound");
    assertEquals(2, loads.get());
    time.advanceNanos(1);
    assertEquals(Optional.of("3"), cache.get("a"), "and not a nanosecond longer");
    assertEquals(3, loads.get());
  }

  @ParameterizedTest(name = "recordStats={0}")
  @CsvSource({"false", "true"})
  void anOutageSendsOneLoadPerKeyPerBoundToTheLoaderNotEveryRead(boolean recordStats) {
    InMemoryBackend backend = new InMemoryBackend("outage");
    backend.channelUp();
    TieredCacheAside<String, String> cache = cache(backend, EvictionPolicy.DEFAULT, recordStats);
    db.put("a", "1");
    cache.get("a");
    backend.channelDown();
    int before = loads.get();
    for (int i = 0; i < 1000; i++) {
      time.advance(Duration.ofMillis(5));
      cache.get("a");
    }
    // 5 s of reads, a 1 s bound: the entry from before the outage goes after the first bound,
    // and then one load per bound.
    assertTrue(loads.get() - before <= 5, "loads during the outage: " + (loads.get() - before) + " for 1000 reads");
  }

  @ParameterizedTest(name = "recordStats={0}")
  @CsvSource({"false", "true"})
  void theFirstConfirmationClearsWhatWasCachedMeanwhileAndRestoresLocalHits(boolean recordStats) {
    InMemoryBackend backend = new InMemoryBackend("late");
    TieredCacheAside<String, String> cache = cache(backend, EvictionPolicy.DEFAULT, recordStats);
    db.put("a", "1");
    cache.get("a");
    writeElsewhere(backend, "a", "2");
    time.advance(Duration.ofMillis(500));
    assertEquals(Optional.of("1"), cache.get("a"));

    backend.channelUp();
    assertEquals(Optional.empty(), cache.peek("a"), "cleared on confirmation");
    assertEquals(Optional.of("2"), cache.get("a"));
    int reads = backend.reads();
    time.advance(Duration.ofMinutes(10));
    for (int i = 0; i < 100; i++) {
      assertEquals(Optional.of("2"), cache.get("a"));
    }
    assertEquals(reads, backend.reads(), "trusted again: every read hits locally");
    assertEquals(2, loads.get());
  }

  @Test
  void aBackendWithoutAChannelIsTrustedFromTheStart() {
    db.put("a", "1");
    TieredCacheAside<String, String> cache = cache(new NoChannel(new InMemoryBackend("plain")), EvictionPolicy.DEFAULT,
        false);
    cache.get("a");
    time.advance(Duration.ofMinutes(10));
    assertEquals(Optional.of("1"), cache.peek("a").orElseThrow());
    assertEquals(1, loads.get());
  }

  /** Three shards; keys of the shard whose channel is down are distrusted, the others keep hitting. */
  @ParameterizedTest(name = "{0}, recordStats={1}")
  @CsvSource({"W_TINY_LFU, false", "W_TINY_LFU, true", "LRU, false", "ARC, true"})
  void onlyTheKeysOfAShardWhoseChannelIsDownAreDistrustedAfterTheBound(EvictionPolicy policy, boolean recordStats) {
    List<InMemoryBackend> nodes = List.of(new InMemoryBackend("node-0"), new InMemoryBackend("node-1"),
        new InMemoryBackend("node-2"));
    CacheBackend<String, String> sharded = CacheBackend.sharded(nodes, Codec.utf8());
    TieredCacheAside<String, String> cache = cache(sharded, policy, recordStats);
    nodes.forEach(InMemoryBackend::channelUp);
    List<List<String>> keysOn = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (int i = 0; i < KEYS; i++) {
      String key = "user:" + i;
      db.put(key, "v1");
      assertEquals(Optional.of("v1"), cache.get(key));
      for (int n = 0; n < 3; n++) {
        if (nodes.get(n).holds(key)) {
          keysOn.get(n).add(key);
        }
      }
    }
    assertEquals(KEYS, loads.get());
    assertEquals(KEYS, keysOn.get(0).size() + keysOn.get(1).size() + keysOn.get(2).size());
    assertTrue(keysOn.stream().allMatch(keys -> !keys.isEmpty()), "every node holds keys");

    nodes.get(1).channelDown();
    for (String key : keysOn.get(1)) {
      writeElsewhere(sharded, key, "v2"); // missed by this instance
    }
    time.advance(BOUND);
    assertEquals(KEYS, readAll(cache, keysOn, "v1", "v1", "v1"), "every key hits locally within the bound");
    int[] before = reads(nodes);

    time.advanceNanos(1);
    assertEquals(KEYS - keysOn.get(1).size(), readAll(cache, keysOn, "v1", "v2", "v1"),
        "past the bound only the down shard's keys miss locally");
    assertEquals(KEYS + keysOn.get(1).size(), loads.get(), "and they are loaded");
    int[] after = reads(nodes);
    assertEquals(before[0], after[0], "no read of node-0");
    assertEquals(before[2], after[2], "no read of node-2");

    // node-0 drops too; node-1 coming back must not vouch for node-0.
    nodes.get(0).channelDown();
    time.advance(BOUND);
    time.advanceNanos(1);
    nodes.get(1).channelUp();
    for (String key : keysOn.get(1)) {
      assertEquals(Optional.empty(), cache.peek(key), "node-1's keys were cleared on its return");
    }
    for (String key : keysOn.get(2)) {
      assertTrue(cache.peek(key).isPresent(), "node-2's keys were kept");
    }
    readAll(cache, keysOn, "v1", "v2", "v1");
    int[] refilled = reads(nodes);
    assertEquals(KEYS, readAll(cache, keysOn, "v1", "v2", "v1"),
        "node-0's keys, refilled while its channel is down, are served for a bound from their refill");
    int[] last = reads(nodes);
    assertEquals(refilled[1], last[1], "node-1's keys hit locally again");
    assertEquals(refilled[2], last[2]);
    assertEquals(refilled[0], last[0]);
    time.advance(BOUND);
    time.advanceNanos(1);
    readAll(cache, keysOn, "v1", "v2", "v1");
    assertEquals(refilled[0] + keysOn.get(0).size(), reads(nodes)[0], "past that bound node-0's keys are read again");
    refilled = reads(nodes);
    assertEquals(refilled[1], last[1], "while node-1's stay local");

    nodes.get(0).channelUp();
    readAll(cache, keysOn, "v1", "v2", "v1");
    int loaded = loads.get();
    int[] settled = reads(nodes);
    time.advance(Duration.ofMinutes(10));
    assertEquals(KEYS, readAll(cache, keysOn, "v1", "v2", "v1"), "all shards trusted again");
    assertEquals(loaded, loads.get());
    assertArrayEquals(settled, reads(nodes));
  }

  @Test
  void aShardThatNeverConfirmsDistrustsOnlyItsKeysAfterTheBound() {
    List<InMemoryBackend> nodes = List.of(new InMemoryBackend("node-0"), new InMemoryBackend("node-1"),
        new InMemoryBackend("node-2"));
    TieredCacheAside<String, String> cache = cache(CacheBackend.sharded(nodes, Codec.utf8()), EvictionPolicy.DEFAULT,
        false);
    nodes.get(0).channelUp();
    nodes.get(2).channelUp();
    List<List<String>> keysOn = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (int i = 0; i < KEYS; i++) {
      String key = "user:" + i;
      db.put(key, "v1");
      cache.get(key);
      for (int n = 0; n < 3; n++) {
        if (nodes.get(n).holds(key)) {
          keysOn.get(n).add(key);
        }
      }
    }
    time.advance(BOUND);
    assertEquals(KEYS, readAll(cache, keysOn, "v1", "v1", "v1"));
    time.advanceNanos(1);
    assertEquals(KEYS - keysOn.get(1).size(), readAll(cache, keysOn, "v1", "v1", "v1"));
    nodes.get(1).channelUp();
    readAll(cache, keysOn, "v1", "v1", "v1");
    assertEquals(KEYS, readAll(cache, keysOn, "v1", "v1", "v1"));
  }

  /**
   * Reads every key, checks each node's keys read {@code expected[n]}, and returns how many
   * reads the local tier answered (without a backend read or a load).
   */
  private int readAll(TieredCacheAside<String, String> cache, List<List<String>> keysOn, String... expected) {
    int local = 0;
    for (int n = 0; n < keysOn.size(); n++) {
      for (String key : keysOn.get(n)) {
        boolean wasLocal = cache.peek(key).isPresent();
        assertEquals(Optional.of(expected[n]), cache.get(key), key + " on node-" + n);
        if (wasLocal) {
          local++;
        }
      }
    }
    return local;
  }

  private static int[] reads(List<InMemoryBackend> nodes) {
    return nodes.stream().mapToInt(InMemoryBackend::reads).toArray();
  }

  /** A backend without an invalidation channel: the default {@code subscribe}. */
  private static final class NoChannel implements CacheBackend<String, String> {
    private final CacheBackend<String, String> inner;

    NoChannel(CacheBackend<String, String> inner) {
      this.inner = inner;
    }

    @Override
    public Optional<CacheEntry<String>> get(String key) {
      return inner.get(key);
    }

    @Override
    public Map<String, CacheEntry<String>> getAll(Collection<? extends String> keys) {
      return inner.getAll(keys);
    }

    @Override
    public void set(String key, CacheEntry<String> entry) {
      inner.set(key, entry);
    }

    @Override
    public void setAll(Map<? extends String, CacheEntry<String>> entries) {
      inner.setAll(entries);
    }

    @Override
    public void invalidate(String key) {
      inner.invalidate(key);
    }

    @Override
    public Optional<Lease> tryLease(String key, Duration ttl) {
      return inner.tryLease(key, ttl);
    }

    @Override
    public boolean setIfLeased(String key, Lease lease, CacheEntry<String> entry) {
      return inner.setIfLeased(key, lease, entry);
    }

    @Override
    public void releaseLease(String key, Lease lease) {
      inner.releaseLease(key, lease);
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
