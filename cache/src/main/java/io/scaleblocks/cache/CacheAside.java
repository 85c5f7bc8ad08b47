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

  /**
   * The value of {@code key}, from the cache or the loader; empty when the source has none. A
   * call that starts after a {@link #write}, {@link #delete} or {@link #invalidate} of the key
   * returned never gets the replaced value from this instance (it does not join a load that
   * began before); a call that was already waiting for a load may.
   *
   * @throws CacheLoadException if the loader failed (or, for a caller that waited for another
   *     caller's load, that load failed); the failure is not cached
   * @throws IllegalStateException (as the cause of a {@link CacheLoadException}, or directly to
   *     a waiter) if a loader asked the cache for its own key, or loaders wait for each other in
   *     a cycle
   * @throws NullPointerException if {@code key} is null
   */
  Optional<V> get(K key);

  /**
   * The value of {@code key} if this instance's local tier holds a fresh, trusted one; never
   * loads and never reads the backend. Empty when nothing usable is cached, or when "not found"
   * is. Counted as a hit or a miss with {@code recordStats()}.
   *
   * @throws NullPointerException if {@code key} is null
   */
  Optional<V> getIfPresent(K key);

  /**
   * The values of {@code keys} that exist, reading the local tier, then the backend in one round
   * trip, then the loader in one {@link Loader#loadAll} batch for the rest. Shares single-flight
   * with {@link #get}: a key that another call is loading is awaited rather than loaded again,
   * and a {@code get} of a key in the batch waits for the batch (and gets its
   * {@link CacheLoadException} if {@code loadAll} fails). Across processes, as for {@code get}: a
   * key whose lease another process holds is awaited, for at most {@code leaseWait}, once the
   * batch's other keys are loaded; the keys still missing then are loaded in a second
   * {@code loadAll}, without sharing.
   *
   * @throws CacheLoadException if {@code loadAll} failed or returned null
   * @throws NullPointerException if {@code keys} or one of them is null
   */
  Map<K, V> getAll(Collection<? extends K> keys);

  /**
   * Puts {@code value} in the cache only (the store is not written): the local tier and the
   * backend, dropping other instances' copies.
   *
   * @throws NullPointerException if {@code key} or {@code value} is null
   */
  void put(K key, V value);

  /**
   * Drops {@code key} from the backend (and so from every instance's near cache, through the
   * invalidation channel), then from this instance's local tier. If the backend cannot be
   * reached, the backend invalidation is retried until it is delivered, and meanwhile this
   * instance reads {@code key} from the loader; other instances may serve the old value until
   * the retry is delivered or their staleness bound passes, whichever comes first.
   *
   * @throws NullPointerException if {@code key} is null
   */
  void invalidate(K key);

  /**
   * Drops every entry of this instance's local tier, and makes every load running now take its
   * value back. The backend and other instances are not cleared: their entries expire by their
   * TTL (clear a Redis prefix with the server's own tools after a bulk migration).
   */
  void invalidateAll();

  /**
   * Writes {@code value} to the store and the cache by the configured {@link WriteStrategy}.
   * Writes of one key are serialised, so the cache ends with the value the store ends with.
   *
   * @throws CacheWriteException if the store refused the write (write-through, write-around:
   *     the cache is unchanged), or, with write-back, the queue stayed full for longer than
   *     {@code maxWriteWait} or the writer was interrupted (the write was not queued)
   * @throws IllegalStateException if the cache has no store, or is closed
   * @throws NullPointerException if {@code key} or {@code value} is null
   */
  void write(K key, V value);

  /**
   * Deletes {@code key} from the store and the cache by the configured {@link WriteStrategy}.
   *
   * @throws CacheWriteException as {@link #write}
   * @throws IllegalStateException if the cache has no store, or is closed
   * @throws NullPointerException if {@code key} is null
   */
  void delete(K key);

  /**
   * Write-back only: stores everything pending now; returns whether all of it was stored (a
   * quarantined write, or a store that is down, leaves some pending). True without write-back.
   */
  boolean flush();

  /** Counters since the cache was built. */
  CacheStats stats();

  /** The local tier's entry count. */
  long estimatedSize();

  /** This cache's name, used in logs and metric tags. */
  String name();

  /**
   * Stops background work. Later {@link #write}s and {@link #delete}s are refused with an
   * {@link IllegalStateException}; reads keep working (without early refresh). With write-back,
   * refuses new writes, flushes every pending one and throws {@link CacheWriteException} naming
   * the keys the store still refuses (they are then lost). Delivers what it can of undelivered
   * invalidations. Does not close the backend, which the caller owns. After close, {@link #put}
   * and {@link #invalidate} still act on both tiers, but a shared-tier invalidation that fails is
   * no longer retried: other instances may serve the replaced value until it expires.
   *
   * @throws CacheWriteException with write-back, if some pending writes could not be stored
   */
  @Override
  void close();
}
