package io.scaleblocks.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * {@link EvictionPolicy#W_TINY_LFU} through Caffeine. Thread-safe; Caffeine's maintenance
 * (applying buffered reads, evicting) runs on its default executor, the common pool.
 */
final class CaffeineLocalCache<K, V> implements LocalCache<K, V> {

  private final Cache<K, V> cache;
  private final LongAdder evictions = new LongAdder();
  private final ReadCounts counts;

  CaffeineLocalCache(LocalCacheBuilder<K, V> builder) {
    Caffeine<Object, Object> caffeine = Caffeine.newBuilder();
    if (builder.sameThreadMaintenance) {
      caffeine.executor(Runnable::run);
    }
    if (builder.weigher != null) {
      Weigher<? super K, ? super V> weigher = builder.weigher;
      caffeine.maximumWeight(builder.maximum)
          .weigher((K k, V v) -> (int) Math.min(Integer.MAX_VALUE, weigher.weigh(k, v)));
    } else {
      caffeine.maximumSize(builder.maximum);
    }
    Expiration<K, V> expiration = builder.expiration;
    if (expiration != null) {
      caffeine.ticker(builder.ticker::getAsLong);
      caffeine.expireAfter(new Expiry<K, V>() {
        @Override
        public long expireAfterCreate(K key, V value, long currentTime) {
          return expiration.ttl(key, value);
        }

        @Override
        public long expireAfterUpdate(K key, V value, long currentTime, long currentDuration) {
          return expiration.ttl(key, value);
        }

        @Override
        public long expireAfterRead(K key, V value, long currentTime, long currentDuration) {
          return expiration.afterAccess() ? expiration.afterAccessNanos() : currentDuration;
        }
      });
    }
    this.cache = caffeine
        .<K, V>evictionListener((k, v, cause) -> {
          if (cause == RemovalCause.SIZE || cause == RemovalCause.EXPIRED) {
            evictions.increment();
          }
        })
        .build();
    this.counts = new ReadCounts(builder.recordStats);
  }

  /** The Caffeine cache itself, for a caller that does not record stats and wants one call less. */
  Cache<K, V> caffeine() {
    return cache;
  }

  @Override
  public V getIfPresent(K key) {
    return counts.count(cache.getIfPresent(key));
  }

  @Override
  public void put(K key, V value) {
    cache.put(key, value);
  }

  @Override
  public void invalidate(K key) {
    cache.invalidate(key);
  }

  @Override
  public boolean invalidate(K key, V expected) {
    boolean[] removed = new boolean[1];
    cache.asMap().computeIfPresent(key, (k, v) -> {
      if (v == expected) {
        removed[0] = true;
        return null;
      }
      return v;
    });
    return removed[0];
  }

  @Override
  public void invalidateAll() {
    cache.invalidateAll();
  }

  @Override
  public void invalidateAll(Predicate<? super K> keys) {
    Objects.requireNonNull(keys, "keys");
    cache.asMap().keySet().removeIf(keys);
  }

  @Override
  public long estimatedSize() {
    return cache.estimatedSize();
  }

  @Override
  public long evictionCount() {
    return evictions.sum();
  }

  @Override
  public long hitCount() {
    return counts.hits();
  }

  @Override
  public long missCount() {
    return counts.misses();
  }

  @Override
  public void cleanUp() {
    cache.cleanUp();
  }

  @Override
  public EvictionPolicy policy() {
    return EvictionPolicy.W_TINY_LFU;
  }

  @Override
  public String toString() {
    return "LocalCache[w-tinylfu, size=" + cache.estimatedSize() + "]";
  }
}
