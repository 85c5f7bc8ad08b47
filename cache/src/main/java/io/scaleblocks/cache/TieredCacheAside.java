package io.scaleblocks.cache;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The {@link CacheAside}: a local tier ({@link LocalTier}), an optional backend, single-flight
 * loads through one fill protocol ({@link FillPipeline}), invalidation epochs and leases against
 * stale sets, XFetch early refresh ({@link EarlyRefresher}) and the write strategies
 * ({@link WritePath}). This class validates arguments, takes the hit path, and wires the parts.
 *
 * <p>Stale-set protection in process is {@link WriteEpochs}; across processes, a lease in the
 * backend lets one loader fill a key while the others wait for it or serve stale.
 *
 * <p>Near-cache trust is per invalidation channel of the backend ({@link NearCacheTrust}): a local
 * entry is served unless its key is covered by a channel down for longer than the staleness
 * bound and the entry is older than the bound or predates the outage. With no channel down, hits
 * take the short path. Each instance has a random 64-bit id that its invalidations carry, so it
 * ignores their echo (a write-through keeps the value it just cached) while another instance,
 * on the same backend object or not, applies them.
 *
 * <p>Write order: the store first, then the shared tier, then this instance (see
 * {@link TierWriter}); a failure of the store leaves the cache as it was, a failure of the
 * shared tier is retried ({@link SharedInvalidations}).
 */
final class TieredCacheAside<K, V> implements CacheAside<K, V> {

  private final String name;
  private final LocalTier<K, V> local;
  private final CacheBackend<K, V> backend;
  /** Null without a backend. */
  private final SharedInvalidations<K> shared;
  private final CacheCounters counters = new CacheCounters();
  private final GuardedBackend<K, V> remote;
  private final FillPipeline<K, V> pipeline;
  private final EarlyRefresher<K, V> refresher;
  private final BatchLoader<K, V> batches;
  private final TierWriter<K, V> tiers;
  private final WritePath<K, V> writes;
  private final LongSupplier ticker;
  private final boolean recordStats;
  private final SingleFlight<K, LocalEntry<V>> flights;
  private final WriteEpochs epochs = new WriteEpochs();
  /** Which local entries the backend's invalidation channels still vouch for; null without a backend. */
  private final NearCacheTrust<K> near;
  /**
   * Neither counting hits nor distrusting the near cache: a fresh hit may take the short path.
   * One field, so that the short path reads one flag.
   */
  private volatile boolean quickHits;

  TieredCacheAside(CacheAsideBuilder<K, V> b) {
    this.name = b.name;
    this.flights = new SingleFlight<>(name);
    this.ticker = b.ticker;
    this.recordStats = b.recordStats;
    this.quickHits = !recordStats;
    this.backend = b.backend;
    Lifetimes lifetimes = new Lifetimes(b);
    long id = instanceId();
    this.near = backend == null ? null : new NearCacheTrust<>(name, id, ticker, b.nearCacheStalenessNanos, new NearTier());
    this.local = new LocalTier<>(b, near);
    this.remote = backend == null ? null : new GuardedBackend<>(name, backend, lifetimes, b.leaseTtl, id);
    this.shared = backend == null ? null : new SharedInvalidations<>(name, remote, lifetimes.longestTtlNanos(), ticker);
    this.tiers = new TierWriter<>(b, local, shared, remote, flights, epochs, lifetimes, counters);
    this.writes = WritePath.of(b, tiers, counters);
    this.pipeline = new FillPipeline<>(b, local, remote, shared,
        writes instanceof WritePath.WriteBack<K, V> back ? back.queue : null, epochs, lifetimes, counters);
    this.refresher = new EarlyRefresher<>(b, lifetimes, flights, epochs, pipeline);
    this.batches = new BatchLoader<>(local, flights, pipeline, counters, recordStats);
    if (near != null) {
      near.subscribe(backend);
    }
  }

  /** Unique per instance with overwhelming odds, and never {@link InvalidationListener#NO_ORIGIN}. */
  private static long instanceId() {
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong();
    } while (id == InvalidationListener.NO_ORIGIN);
    return id;
  }

  static ThreadFactory daemon(String threadName) {
    return runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public Optional<V> get(K key) {
    Objects.requireNonNull(key, "key");
    LocalEntry<V> entry = local.resident(key);
    // The common hit, kept small enough to inline whole into the caller: fresh, not yet due for
    // early refresh, the near cache trusted, no counting.
    if (entry != null && quickHits && ticker.getAsLong() - entry.refreshFrom < 0) {
      return entry.value;
    }
    return getSlowly(key, entry);
  }

  /** Every other read: a hit to count or maybe refresh early, an expired or untrusted entry, a miss. */
  private Optional<V> getSlowly(K key, LocalEntry<V> entry) {
    if (entry != null) {
      long now = ticker.getAsLong();
      if (local.usable(key, entry, now)) {
        if (recordStats) {
          counters.hits.increment();
        }
        refresher.refreshIfDue(key, entry, now);
        return entry.value;
      }
    }
    if (recordStats) {
      counters.misses.increment();
    }
    return flights.run(key, () -> epochs.duringLoad(() -> pipeline.load(key))).value;
  }

  @Override
  public Optional<V> getIfPresent(K key) {
    Objects.requireNonNull(key, "key");
    LocalEntry<V> entry = local.usable(key);
    if (recordStats) {
      (entry == null ? counters.misses : counters.hits).increment();
    }
    return entry == null ? Optional.empty() : entry.value;
  }

  @Override
  public Map<K, V> getAll(Collection<? extends K> keys) {
    return epochs.duringLoad(() -> batches.getAll(keys));
  }

  @Override
  public void invalidateAll() {
    tiers.invalidateAll();
  }

  @Override
  public void put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    tiers.cacheNow(key, Optional.of(value));
  }

  /** The shared tier first, then this instance: see {@link TierWriter#invalidate}. */
  @Override
  public void invalidate(K key) {
    Objects.requireNonNull(key, "key");
    tiers.invalidate(key);
  }

  @Override
  public void write(K key, V value) {
    writes.write(key, value);
  }

  @Override
  public void delete(K key) {
    writes.delete(key);
  }

  @Override
  public boolean flush() {
    return writes.flush();
  }

  @Override
  public CacheStats stats() {
    return counters.snapshot(local.evictionCount(), remote == null ? 0 : remote.errors(), writes.behindStoreWrites(),
        writes.quarantines());
  }

  @Override
  public long estimatedSize() {
    return local.estimatedSize();
  }

  @Override
  public String name() {
    return name;
  }

  /** What the local tier holds for {@code key} without loading or counting; for tests. */
  Optional<Optional<V>> peek(K key) {
    LocalEntry<V> entry = local.usable(key);
    return entry == null ? Optional.empty() : Optional.of(entry.value);
  }

  /** Write-back only: keys waiting to be stored. */
  int pendingWrites() {
    return writes.pendingWrites();
  }

  @Override
  public void close() {
    if (near != null) {
      backend.unsubscribe(near);
    }
    refresher.close();
    try {
      writes.close();
    } finally {
      // After the last flush, whose stored keys are invalidated in the shared tier too.
      if (shared != null) {
        shared.close();
      }
    }
  }

  /** The local tier as the near cache's channels act on it. */
  private final class NearTier implements NearCacheTrust.LocalTier<K> {
    @Override
    public void invalidate(K key) {
      epochs.bump(key);
      local.invalidate(key);
    }

    @Override
    public void invalidateAll(Predicate<? super K> covers) {
      // Fills that started while the channel was down take back what they put (when stale-set
      // protection is on), and whatever the local tier cached for its keys meanwhile goes.
      epochs.bumpAll();
      local.invalidateAll(covers);
    }

    @Override
    public void trustChanged(boolean allUp) {
      quickHits = allUp && !recordStats;
    }
  }

  @Override
  public String toString() {
    return "CacheAside[" + name + ", " + local + (backend == null ? "" : ", backend=" + backend) + "]";
  }
}
