package io.scaleblocks.cache;

import java.util.Optional;

/**
 * Puts and invalidations across the tiers, for {@link CacheAside#put}, {@link CacheAside#invalidate}
 * and the write paths. Order: the shared tier first, then this instance (see {@link #invalidate}).
 * Thread-safe.
 */
final class TierWriter<K, V> {

  private final LocalTier<K, V> local;
  /** Null without a backend, as is {@link #remote}. */
  private final SharedInvalidations<K> shared;
  private final GuardedBackend<K, V> remote;
  private final SingleFlight<K, LocalEntry<V>> flights;
  private final WriteEpochs epochs;
  private final Lifetimes lifetimes;
  private final CacheCounters counters;
  private final boolean recordStats;
  /**
   * A put of a resident key rewrites its entry rather than replacing it. Not with a backend,
   * whose entries carry a shared expiry, nor with a weigher, which must see every new value.
   */
  private final boolean rewriteInPlace;

  TierWriter(CacheAsideBuilder<K, V> b, LocalTier<K, V> local, SharedInvalidations<K> shared,
      GuardedBackend<K, V> remote, SingleFlight<K, LocalEntry<V>> flights, WriteEpochs epochs, Lifetimes lifetimes,
      CacheCounters counters) {
    this.local = local;
    this.shared = shared;
    this.remote = remote;
    this.flights = flights;
    this.epochs = epochs;
    this.lifetimes = lifetimes;
    this.counters = counters;
    this.recordStats = b.recordStats;
    this.rewriteInPlace = b.backend == null && b.weigher == null;
  }

  /**
   * Puts {@code value} (empty: "not found") in every tier, rewriting a resident entry in place
   * where it can. The shared tier's old copy and lease go first, and the other instances are
   * told (this one ignores the echo); then the new entry is written there and here.
   */
  void cacheNow(K key, Optional<V> value) {
    if (epochs.bumpIfLoading(key)) {
      flights.detach(key);
    }
    long now = local.now();
    if (rewriteInPlace) {
      long deadline = now + lifetimes.lifetime(value);
      LocalEntry<V> resident = local.resident(key);
      if (resident != null && deadline - now > 0 && resident.rewrite(value, deadline)) {
        if (recordStats) {
          counters.puts.increment();
        }
        return;
      }
    }
    LocalEntry<V> entry = lifetimes.newEntry(value, 0, now);
    if (shared != null) {
      shared.invalidate(key);
      if (!shared.bypasses(key)) {
        remote.set(key, entry);
      }
    }
    if (entry.deadline() - now > 0) {
      local.put(key, entry);
      if (recordStats) {
        counters.puts.increment();
      }
    } else {
      local.invalidate(key);
    }
  }

  /**
   * Drops {@code key} from the shared tier first, then from this instance. In that order, a read
   * on this instance that misses once the local entry is gone cannot find the old value in the
   * shared tier and keep it again; a fill that read the old value before either step is taken
   * back by the epoch bump (locally) and the revoked lease (remotely). A get that starts after
   * this returns does not join a load that was running before (its flight is detached). If the
   * shared tier cannot be reached, the invalidation is retried until delivered, and meanwhile
   * this instance reads {@code key} from the loader, not from the shared tier.
   */
  void invalidate(K key) {
    invalidateShared(key);
    epochs.bump(key);
    flights.detach(key);
    local.invalidate(key);
  }

  /** Drops {@code key} from the shared tier (and so from the other instances) only. */
  void invalidateShared(K key) {
    if (shared != null) {
      shared.invalidate(key);
    }
  }

  /** Every key, on this instance only. */
  void invalidateAll() {
    epochs.bumpAll();
    flights.detachAll();
    local.invalidateAll();
  }
}
