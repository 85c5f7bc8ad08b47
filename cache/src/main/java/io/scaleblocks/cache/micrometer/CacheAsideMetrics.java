package io.scaleblocks.cache.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import io.scaleblocks.cache.CacheAside;
import java.util.concurrent.TimeUnit;

/**
 * Binds a {@link CacheAside} to Micrometer under Micrometer's own cache meter names, so the
 * dashboards built for Caffeine or JCache work unchanged: {@code cache.size},
 * {@code cache.gets{result=hit|miss}}, {@code cache.puts}, {@code cache.evictions} (from
 * {@link CacheMeterBinder}), plus {@code cache.load{result=success|failure}} and
 * {@code cache.load.duration} as Caffeine's binder names them, {@code cache.remote.errors}
 * for the backend, {@code cache.store.writes} and {@code cache.writes.quarantined} for the write
 * strategies. Every meter has the tag {@code cache=<name>}, plus the tags given.
 *
 * <pre>{@code
 * new CacheAsideMetrics(cache).bindTo(registry);
 * }</pre>
 *
 * <p>Meters read the cache's counters when scraped; nothing runs on the cache's hot path. Hits
 * and misses are counted only when the cache was built with {@code recordStats()}. Thread-safe;
 * the binder holds the cache weakly, as Micrometer's cache binders do.
 */
public final class CacheAsideMetrics extends CacheMeterBinder<CacheAside<?, ?>> {

  /** Meters for {@code cache}, tagged {@code cache=<its name>}; register them with {@link #bindTo}. */
  public CacheAsideMetrics(CacheAside<?, ?> cache) {
    this(cache, Tags.empty());
  }

  /** Meters for {@code cache}, tagged {@code cache=<its name>} and {@code tags}; register them with {@link #bindTo}. */
  public CacheAsideMetrics(CacheAside<?, ?> cache, Iterable<Tag> tags) {
    super(cache, cache.name(), tags);
  }

  /** Registers {@code cache}'s meters with {@code registry} and returns the cache. */
  public static <C extends CacheAside<?, ?>> C monitor(MeterRegistry registry, C cache, String... tags) {
    new CacheAsideMetrics(cache, Tags.of(tags)).bindTo(registry);
    return cache;
  }

  @Override
  protected Long size() {
    CacheAside<?, ?> cache = getCache();
    return cache == null ? null : cache.estimatedSize();
  }

  @Override
  protected long hitCount() {
    CacheAside<?, ?> cache = getCache();
    return cache == null ? 0 : cache.stats().hits();
  }

  @Override
  protected Long missCount() {
    CacheAside<?, ?> cache = getCache();
    return cache == null ? null : cache.stats().misses();
  }

  @Override
  protected Long evictionCount() {
    CacheAside<?, ?> cache = getCache();
    return cache == null ? null : cache.stats().evictions();
  }

  @Override
  protected long putCount() {
    CacheAside<?, ?> cache = getCache();
    return cache == null ? 0 : cache.stats().puts();
  }

  @Override
  protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
    CacheAside<?, ?> cache = getCache();
    if (cache == null) {
      return;
    }
    FunctionCounter.builder("cache.load", cache, c -> c.stats().loadSuccesses())
        .tags(getTagsWithCacheName()).tag("result", "success")
        .description("Loads that returned a value or a not-found").register(registry);
    FunctionCounter.builder("cache.load", cache, c -> c.stats().loadFailures())
        .tags(getTagsWithCacheName()).tag("result", "failure")
        .description("Loads that threw").register(registry);
    FunctionTimer.builder("cache.load.duration", cache,
            c -> c.stats().loadSuccesses() + c.stats().loadFailures(),
            c -> c.stats().totalLoadNanos(), TimeUnit.NANOSECONDS)
        .tags(getTagsWithCacheName()).description("Time spent loading").register(registry);
    FunctionCounter.builder("cache.remote.errors", cache, c -> c.stats().remoteErrors())
        .tags(getTagsWithCacheName()).description("Backend calls that failed and fell through to the loader")
        .register(registry);
    FunctionCounter.builder("cache.store.writes", cache, c -> c.stats().storeWrites())
        .tags(getTagsWithCacheName()).description("Keys written or deleted in the store").register(registry);
    FunctionCounter.builder("cache.writes.quarantined", cache, c -> c.stats().quarantinedWrites())
        .tags(getTagsWithCacheName())
        .description("Write-back writes the store refused on their own, kept pending in quarantine")
        .register(registry);
  }
}
