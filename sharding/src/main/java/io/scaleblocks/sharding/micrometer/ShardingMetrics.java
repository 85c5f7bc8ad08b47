package io.scaleblocks.sharding.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.scaleblocks.sharding.HotKeyDetector;
import io.scaleblocks.sharding.Shard;
import io.scaleblocks.sharding.ShardRouter;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Micrometer meters of a {@link ShardRouter} and, optionally, a {@link HotKeyDetector}:
 *
 * <ul>
 *   <li>{@code scaleblocks.sharding.requests{name, shard}}: a counter of routing decisions per shard;
 *   <li>{@code scaleblocks.sharding.shards{name}}: the shards of the current topology;
 *   <li>{@code scaleblocks.sharding.hot.keys{name}}: how many keys are hot now;
 *   <li>{@code scaleblocks.sharding.hot.key.share{name}}: the share of the hottest key (0 if none).
 * </ul>
 *
 * <p>Binding installs the router's {@link ShardRouter#listener}: a router that is never bound pays
 * nothing. Counting costs one map lookup and one counter increment per routing decision. The hot
 * key gauges are computed when the registry is scraped.
 */
public final class ShardingMetrics implements MeterBinder {

  private final String name;
  private final ShardRouter<?, ?> router;
  private final HotKeyDetector<?> hotKeys;

  /** Meters for {@code router}, tagged {@code name}. */
  public ShardingMetrics(String name, ShardRouter<?, ?> router) {
    this(name, router, null);
  }

  /** Meters for {@code router} and {@code hotKeys} (may be null), tagged {@code name}. */
  public ShardingMetrics(String name, ShardRouter<?, ?> router, HotKeyDetector<?> hotKeys) {
    this.name = Objects.requireNonNull(name, "name must not be null");
    this.router = Objects.requireNonNull(router, "router must not be null");
    this.hotKeys = hotKeys;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Map<String, Counter> perShard = new ConcurrentHashMap<>();
    router.listener((Shard<?> shard, long hash) -> perShard.computeIfAbsent(shard.id(),
        id -> Counter.builder("scaleblocks.sharding.requests")
            .description("Routing decisions per shard")
            .tag("name", name).tag("shard", id)
            .register(registry)).increment());
    Gauge.builder("scaleblocks.sharding.shards", router, r -> r.topology().shards().size())
        .description("Shards of the current topology").tag("name", name).register(registry);
    if (hotKeys != null) {
      Gauge.builder("scaleblocks.sharding.hot.keys", hotKeys, d -> d.hotKeys().size())
          .description("Keys above the hot share of the window").tag("name", name).register(registry);
      Gauge.builder("scaleblocks.sharding.hot.key.share", hotKeys,
              d -> d.hotKeys().stream().findFirst().map(h -> h.share()).orElse(0.0))
          .description("Share of the window taken by the hottest key").tag("name", name)
          .register(registry);
    }
  }
}
