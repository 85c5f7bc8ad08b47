package io.scaleblocks.cache.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scaleblocks.cache.CacheAside;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CacheAsideMetricsTest {

  @Test
  void metersUseMicrometersCacheNamesAndTheCacheTag() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CacheAside<String, String> cache = CacheAsideMetrics.monitor(registry,
        CacheAside.<String, String>builder(key -> key.equals("boom") ? failing() : Optional.of(key))
            .name("users").recordStats().build());
    cache.get("a");
    cache.get("a");
    cache.get("b");
    try {
      cache.get("boom");
    } catch (RuntimeException expected) {
      // counted as a load failure
    }
    assertEquals(1.0, registry.get("cache.gets").tag("cache", "users").tag("result", "hit").functionCounter().count());
    assertEquals(3.0, registry.get("cache.gets").tag("result", "miss").functionCounter().count());
    assertEquals(2.0, registry.get("cache.puts").tag("cache", "users").functionCounter().count());
    assertEquals(2.0, registry.get("cache.load").tag("result", "success").functionCounter().count());
    assertEquals(1.0, registry.get("cache.load").tag("result", "failure").functionCounter().count());
    assertEquals(2.0, registry.get("cache.size").gauge().value());
    assertEquals(0.0, registry.get("cache.evictions").functionCounter().count());
  }

  private static Optional<String> failing() throws Exception {
    throw new java.io.IOException("database down");
  }
}
