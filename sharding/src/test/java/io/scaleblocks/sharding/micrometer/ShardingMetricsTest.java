package io.scaleblocks.sharding.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scaleblocks.sharding.HotKeyDetector;
import io.scaleblocks.sharding.ShardRouter;
import org.junit.jupiter.api.Test;

class ShardingMetricsTest {

  @Test
  void countsRequestsPerShardAndReportsHotKeys() {
    ShardRouter<String, String> router = ShardRouter.<String, String>builder()
        .shard("a", "A").shard("b", "B").build();
    HotKeyDetector<String> detector = HotKeyDetector.<String>builder().window(100).share(0.3).build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new ShardingMetrics("users", router, detector).bindTo(registry);

    int toA = 0;
    for (int i = 0; i < 1_000; i++) {
      String key = "user:" + i;
      if (router.shardFor(key).id().equals("a")) {
        toA++;
      }
      detector.record(i % 2 == 0 ? "celebrity" : key);
    }
    router.write("user:1", shard -> null);
    int writeToA = router.shardFor("user:1").id().equals("a") ? 1 : 0;
    double a = registry.get("scaleblocks.sharding.requests").tag("name", "users").tag("shard", "a").counter().count();
    double b = registry.get("scaleblocks.sharding.requests").tag("shard", "b").counter().count();
    assertEquals(toA + 2 * writeToA, a);
    assertEquals(1_000 + 2 - toA - 2 * writeToA, b);
    assertEquals(2, registry.get("scaleblocks.sharding.shards").gauge().value());
    assertEquals(1, registry.get("scaleblocks.sharding.hot.keys").gauge().value());
    assertEquals(0.5, registry.get("scaleblocks.sharding.hot.key.share").gauge().value());
  }
}
