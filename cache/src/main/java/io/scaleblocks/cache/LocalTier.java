package io.scaleblocks.cache;

import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The local tier of a {@link TieredCacheAside}: a {@link LocalCache} of {@link LocalEntry}s, with
 * no expiry of its own (a read checks the entry's deadline itself, with the one clock read that
 * also serves XFetch; expired entries are replaced on the next miss or evicted).
 *
 * <p>When the policy is W-TinyLFU, {@link #resident} calls Caffeine's map view directly: it is
 * the cache itself, one call nearer than its {@code Cache} facade, and its {@code get} records
 * the read with the policy just as {@code getIfPresent} does.
 *
 * <p>Thread-safe, as the underlying cache is.
 */
final class LocalTier<K, V> {

  private final LocalCache<K, LocalEntry<V>> cache;
  /** The Caffeine cache as a map for W-TinyLFU, else null. */
  private final ConcurrentMap<K, LocalEntry<V>> caffeine;
  private final LongSupplier ticker;
  /** Which entries the backend's channels still vouch for; null without a backend. */
  private final NearCacheTrust<K> near;

  LocalTier(CacheAsideBuilder<K, V> b, NearCacheTrust<K> near) {
    LocalCacheBuilder<K, LocalEntry<V>> builder = LocalCache.<K, LocalEntry<V>>builder().policy(b.policy);
    if (b.weigher != null) {
      Weigher<? super K, ? super V> weigher = b.weigher;
      long negativeWeight = b.negativeEntryWeight;
      builder.maximumWeight(b.maximum)
          .weigher((K key, LocalEntry<V> entry) -> entry.value.map(v -> weigher.weigh(key, v)).orElse(negativeWeight));
    } else {
      builder.maximumSize(b.maximum);
    }
    this.cache = builder.build();
    this.caffeine = cache instanceof CaffeineLocalCache<K, LocalEntry<V>> c ? c.caffeine().asMap() : null;
    this.ticker = b.ticker;
    this.near = near;
  }

  /** The cache's ticker now. */
  long now() {
    return ticker.getAsLong();
  }

  /** The entry for {@code key}, fresh or not, or null; the hit path. */
  LocalEntry<V> resident(K key) {
    return caffeine != null ? caffeine.get(key) : cache.getIfPresent(key);
  }

  /** Not expired, and no channel covering {@code key} has been down for longer than the bound. */
  boolean usable(K key, LocalEntry<V> entry, long now) {
    if (now - entry.deadline() >= 0) {
      return false;
    }
    return near == null || near.trusts(key, entry.filledAt(), now);
  }

  /** The entry for {@code key} if it may be served now, else null. */
  LocalEntry<V> usable(K key) {
    LocalEntry<V> entry = resident(key);
    return entry != null && usable(key, entry, ticker.getAsLong()) ? entry : null;
  }

  void put(K key, LocalEntry<V> entry) {
    if (caffeine != null) {
      caffeine.put(key, entry);
    } else {
      cache.put(key, entry);
    }
  }

  void invalidate(K key) {
    cache.invalidate(key);
  }

  /** Takes back exactly {@code entry}, if it is still the key's. */
  void takeBack(K key, LocalEntry<V> entry) {
    cache.invalidate(key, entry);
  }

  void invalidateAll() {
    cache.invalidateAll();
  }

  void invalidateAll(Predicate<? super K> covers) {
    if (covers == InvalidationListener.EVERY_KEY) {
      cache.invalidateAll();
    } else {
      cache.invalidateAll(covers);
    }
  }

  long estimatedSize() {
    return cache.estimatedSize();
  }

  long evictionCount() {
    return cache.evictionCount();
  }

  @Override
  public String toString() {
    return cache.toString();
  }
}
