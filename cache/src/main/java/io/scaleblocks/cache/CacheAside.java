package io.scaleblocks.cache;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * Cache-aside (read-through) over a {@link Loader}: look in the cache, else load from the source,
 * store, return.
 *
 * <p>Two tiers: an in-process {@link LocalCache} with a selectable policy, and optionally a
 * shared {@link CacheBackend} (Redis, possibly sharded) whose pub/sub invalidations keep the
 * local tier coherent across instances (a near cache). Guarantees:
 *
 * <ul>
 *   <li><b>One load per key at a time</b> in this process (single-flight); across processes
 *       sharing a backend, a lease lets one loader run per key while the others wait for its
 *       value (or load without caching after {@code leaseWait}).
 *   <li><b>No stale sets</b>: a load that started before an invalidating write, put or delete
 *       never puts its older value back, locally (invalidation epochs) or remotely (leases).
 *   <li><b>Hot keys do not expire together</b>: TTLs get jitter, and XFetch refreshes a key
 *       early in the background, so readers of a hot key do not block on its expiry.
 *   <li><b>A failing backend never fails a read</b>: any remote error is a miss and the loader
 *       answers; only the loader's own failure reaches the caller, as {@link CacheLoadException}.
 * </ul>
 *
 * <p>Thread-safe. A local hit is lock-free and allocation-free. Not-found results are cached
 * for {@code negativeTtl} and read as {@link Optional#empty()}. Built by {@link #builder}.
 */
public interface CacheAside<K, V> extends AutoCloseable {

  static <K, V> CacheAsideBuilder<K, V> builder(Loader<K, V> loader) {
    return new CacheAsideBuilder<>(loader);
  }

  /** The value of {@code key}, from the cache or the loader; empty when the source has none. */
  Optional<V> get(K key);

  /**
   * The values of {@code keys} that exist, reading the local tier, then the backend in one round
   * trip, then the loader in one {@link Loader#loadAll} batch for the rest. Shares single-flight
   * with {@link #get}: a key that another call is loading is awaited rather than loaded again,
   * and a {@code get} of a key in the batch waits for the batch (and gets its
   * {@link CacheLoadException} if {@code loadAll} fails).
   */
  Map<K, V> getAll(Collection<? extends K> keys);

  /** Puts {@code value} in the cache only (the store is not written). */
  void put(K key, V value);

  /** Drops {@code key} from every tier and every instance's near cache. */
  void invalidate(K key);

  /** Writes {@code value} to the store and the cache by the configured {@link WriteStrategy}. */
  void write(K key, V value);

  /** Deletes {@code key} from the store and the cache by the configured {@link WriteStrategy}. */
  void delete(K key);

  /** Write-back only: stores everything pending now; returns whether all of it was stored. */
  boolean flush();

  /** Counters since the cache was built. */
  CacheStats stats();

  /** The local tier's entry count. */
  long estimatedSize();

  /** This cache's name, used in logs and metric tags. */
  String name();

  /**
   * Stops background work. With write-back, flushes every pending write first and throws
   * {@link CacheWriteException} if the store still refuses some (they are then lost). Does not
   * close the backend, which the caller owns.
   */
  @Override
  void close();
}
