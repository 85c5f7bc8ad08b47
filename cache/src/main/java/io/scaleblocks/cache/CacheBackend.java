package io.scaleblocks.cache;

import io.scaleblocks.sharding.HashFunction;
import io.scaleblocks.sharding.Hashing;
import io.scaleblocks.sharding.Placement;
import io.scaleblocks.sharding.Placements;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A shared, remote cache tier (Redis) behind a {@link CacheAside}.
 *
 * <p>Implementations are thread-safe. Any method may throw a {@link RuntimeException} when the
 * server is down, slow or refusing; {@link CacheAside} treats that as a miss and reads the
 * loader, so implementations should fail fast (a timeout and a circuit breaker) rather than
 * retry. Entries expire at {@link CacheEntry#expiresAtMillis()}.
 *
 * <p>The Redis backend is in {@code io.scaleblocks.cache.redis}; {@link #sharded} spreads keys
 * over several backends.
 */
public interface CacheBackend<K, V> extends AutoCloseable {

  /**
   * Spreads keys over {@code nodes} with the {@code sharding} module's consistent placement
   * ({@link Placements#consistent}) and xxHash64 of each encoded key, so adding or removing a
   * node moves only about 1/n of the keys. Each node's {@code toString()} must be stable and
   * unique, as {@link Placement} requires.
   */
  static <K, V> CacheBackend<K, V> sharded(Collection<? extends CacheBackend<K, V>> nodes, Codec<K> keyCodec) {
    return sharded(Placements.consistent(List.copyOf(nodes)), Hashing.xxHash64(), keyCodec);
  }

  /** Spreads keys over the nodes of {@code placement} by {@code hash} of each encoded key. */
  static <K, V> CacheBackend<K, V> sharded(Placement<CacheBackend<K, V>> placement, HashFunction hash,
      Codec<K> keyCodec) {
    return new ShardedCacheBackend<>(Objects.requireNonNull(placement, "placement"),
        Objects.requireNonNull(hash, "hash"), Objects.requireNonNull(keyCodec, "keyCodec"));
  }

  Optional<CacheEntry<V>> get(K key);

  /** The entries found among {@code keys}, in one round trip where the server allows. */
  Map<K, CacheEntry<V>> getAll(Collection<? extends K> keys);

  void set(K key, CacheEntry<V> entry);

  void setAll(Map<? extends K, CacheEntry<V>> entries);

  /** Removes the entry and any lease on it, and tells other instances' near caches. */
  void invalidate(K key);

  /**
   * {@link #invalidate(Object)} on behalf of the cache whose id is {@code origin}, which the
   * message to the near caches carries: each listener hears it through
   * {@link InvalidationListener#invalidated(Object, long)}, and the publishing cache ignores its own
   * echo (it already dropped or replaced its local entry). The default drops the id and calls
   * {@link #invalidate(Object)}: every listener, the publisher's included, then applies it.
   */
  default void invalidate(K key, long origin) {
    invalidate(key);
  }

  /** A lease on {@code key} for {@code ttl}, or empty when another caller holds one. */
  Optional<Lease> tryLease(K key, Duration ttl);

  /** Stores {@code entry} only if {@code lease} is still held (not revoked nor expired), and releases it. */
  boolean setIfLeased(K key, Lease lease, CacheEntry<V> entry);

  /** Gives back a lease that was not used to fill, so other callers need not wait for it to expire. */
  void releaseLease(K key, Lease lease);

  /** Leases on several keys; the default asks one by one. */
  default Map<K, Lease> tryLeaseAll(Collection<? extends K> keys, Duration ttl) {
    Map<K, Lease> leases = new HashMap<>();
    for (K key : keys) {
      tryLease(key, ttl).ifPresent(lease -> leases.put(key, lease));
    }
    return leases;
  }

  /**
   * Subscribes to other instances' invalidations, for a near cache, and says whether this backend
   * has such a channel. The default has no channel and returns {@code false}: the near cache then
   * gets no coherence from other instances.
   *
   * <p>A backend with channels names each by the keys it covers (see {@link InvalidationListener})
   * and, for each, calls {@link InvalidationListener#disconnected(java.util.function.Predicate)}
   * before the channel can confirm, then {@link InvalidationListener#reconnected(java.util.function.Predicate)}
   * each time its subscription is confirmed. The near cache treats the time from {@code subscribe}
   * to a channel's first confirmation like a disconnect of that channel: its keys are served from
   * the local tier for at most the staleness bound. A backend that announces no channel before
   * returning {@code true} is taken to have one channel for {@link InvalidationListener#EVERY_KEY},
   * unconfirmed until its first {@link InvalidationListener#reconnected()}.
   */
  default boolean subscribe(InvalidationListener<K> listener) {
    return false;
  }

  /**
   * Stops calling {@code listener} (one that {@link #subscribe} was given; others are ignored).
   * A closed {@link CacheAside} unsubscribes, so a backend shared by caches that come and go does
   * not keep them reachable. The default does nothing, matching the default {@code subscribe}.
   */
  default void unsubscribe(InvalidationListener<K> listener) {
  }

  @Override
  void close();
}
