package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** TTL after write, after access and per entry, on every policy, with a fake ticker. */
class ExpirationTest {

  private final AtomicLong nanos = new AtomicLong(-5_000_000_000L);

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @ParameterizedTest
  @EnumSource(EvictionPolicy.class)
  void expireAfterWriteIgnoresReads(EvictionPolicy policy) {
    LocalCache<String, String> cache = LocalCache.<String, String>builder().policy(policy)
        .expireAfterWrite(Duration.ofSeconds(10)).ticker(nanos::get).build();
    cache.put("a", "1");
    advance(Duration.ofSeconds(6));
    assertEquals("1", cache.getIfPresent("a"));
    advance(Duration.ofSeconds(4));
    assertNull(cache.getIfPresent("a"));
  }

  @ParameterizedTest
  @EnumSource(EvictionPolicy.class)
  void expireAfterAccessIsExtendedByEachRead(EvictionPolicy policy) {
    LocalCache<String, String> cache = LocalCache.<String, String>builder().policy(policy)
        .expireAfterAccess(Duration.ofSeconds(10)).ticker(nanos::get).build();
    cache.put("a", "1");
    for (int i = 0; i < 5; i++) {
      advance(Duration.ofSeconds(9));
      assertEquals("1", cache.getIfPresent("a"));
    }
    advance(Duration.ofSeconds(10));
    assertNull(cache.getIfPresent("a"));
  }

  @ParameterizedTest
  @EnumSource(EvictionPolicy.class)
  void perEntryTtlIsChosenAtEachWrite(EvictionPolicy policy) {
    LocalCache<String, String> cache = LocalCache.<String, String>builder().policy(policy)
        .expireAfter((String k, String v) -> Duration.ofSeconds(v.length()).toNanos())
        .ticker(nanos::get).build();
    cache.put("short", "x");
    cache.put("long", "xxxxx");
    advance(Duration.ofSeconds(1));
    assertNull(cache.getIfPresent("short"));
    assertEquals("xxxxx", cache.getIfPresent("long"));
    cache.put("long", "xx");
    advance(Duration.ofSeconds(2));
    assertNull(cache.getIfPresent("long"));
    if (policy != EvictionPolicy.W_TINY_LFU) {
      // Caffeine's timer wheel removes expired entries at its own granularity; ours sweep now.
      cache.cleanUp();
      assertEquals(0, cache.estimatedSize());
    }
  }

  @Test
  void settingsFromAMapBuildTheSameCacheAndBadValuesAreNamed() {
    LocalCache<String, String> cache = LocalCache.<String, String>builder()
        .from(Map.of("policy", "ARC", "maximum-size", "2", "expire-after-write", "10s"))
        .ticker(nanos::get).build();
    assertEquals(EvictionPolicy.ARC, cache.policy());
    var e = assertThrows(IllegalArgumentException.class,
        () -> LocalCache.builder().from(Map.of("maximum-size", "-3")));
    assertEquals("local-cache: 'maximum-size' must be between 1 and 9223372036854775807 but was '-3'", e.getMessage());
    var p = assertThrows(IllegalArgumentException.class, () -> EvictionPolicy.byName("mru"));
    assertEquals("policy must be one of lru, lfu, fifo, arc, w-tinylfu but was 'mru'", p.getMessage());
    assertThrows(IllegalStateException.class,
        () -> LocalCache.builder().expireAfterWrite(Duration.ofSeconds(1)).expireAfterAccess(Duration.ofSeconds(1)));
  }
}
