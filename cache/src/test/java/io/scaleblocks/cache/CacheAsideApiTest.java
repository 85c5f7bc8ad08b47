package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CacheAsideApiTest {

  private final FakeTime time = new FakeTime();
  private final Map<String, String> db = new ConcurrentHashMap<>();
  private final AtomicInteger loads = new AtomicInteger();

  private CacheAsideBuilder<String, String> builder() {
    return CacheAside.builder(Loader.<String, String>nullable(key -> {
      loads.incrementAndGet();
      return db.get(key);
    })).ticker(time::nanoTime).clock(time).ttlJitter(0).earlyRefresh(0).ttl(Duration.ofMinutes(10));
  }

  @Test
  void aNullableLoaderReadsNullAsNotFound() {
    db.put("a", "1");
    CacheAside<String, String> cache = builder().build();
    assertEquals(Optional.of("1"), cache.get("a"));
    assertEquals(Optional.empty(), cache.get("missing"));
  }

  @Test
  void getIfPresentNeverLoads() {
    db.put("a", "1");
    CacheAside<String, String> cache = builder().build();
    assertEquals(Optional.empty(), cache.getIfPresent("a"));
    assertEquals(0, loads.get());
    cache.get("a");
    assertEquals(Optional.of("1"), cache.getIfPresent("a"));
    time.advance(Duration.ofMinutes(11));
    assertEquals(Optional.empty(), cache.getIfPresent("a"), "an expired entry is not present");
    assertEquals(1, loads.get());
  }

  @Test
  void invalidateAllDropsEveryLocalEntry() {
    db.put("a", "1");
    db.put("b", "2");
    CacheAside<String, String> cache = builder().build();
    cache.get("a");
    cache.get("b");
    db.put("a", "1'");
    db.put("b", "2'");
    cache.invalidateAll();
    assertEquals(Optional.of("1'"), cache.get("a"));
    assertEquals(Optional.of("2'"), cache.get("b"));
    assertEquals(4, loads.get());
  }

  @Test
  void negativeEntriesOfAWeightBoundedCacheWeighWhatTheyAreSetTo() {
    CacheAside<String, String> cache = builder().policy(EvictionPolicy.LRU)
        .maximumWeight(1_000, (String key, String value) -> value.length()).negativeEntryWeight(100).build();
    for (int i = 0; i < 1_000; i++) {
      cache.get("missing-" + i);
    }
    assertEquals(10, cache.estimatedSize(), "1,000 units hold ten negative entries of 100");
  }

  @Test
  void closingACacheUnsubscribesItFromItsBackend() {
    InMemoryBackend backend = new InMemoryBackend("shared");
    for (int i = 0; i < 50; i++) {
      builder().backend(backend).build().close();
    }
    assertEquals(0, backend.listenerCount());
  }

  @Test
  void aSharedEntryIsNotKeptLocallyLongerThanTheTtlWhenTheWritersClockIsAhead() {
    InMemoryBackend backend = new InMemoryBackend("shared");
    backend.channelUp();
    db.put("k", "v2");
    TieredCacheAside<String, String> cache = (TieredCacheAside<String, String>) builder().backend(backend).build();
    backend.set("k", new CacheEntry<>(Optional.of("v1"), 0, time.millis() + Duration.ofHours(1).toMillis()));
    assertEquals(Optional.of("v1"), cache.get("k"));
    time.advance(Duration.ofMinutes(10).plusSeconds(1));
    assertEquals(Optional.empty(), cache.peek("k"), "kept locally past this cache's own TTL");
  }
}
