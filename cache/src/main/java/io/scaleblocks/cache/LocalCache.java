package io.scaleblocks.cache;

import java.util.function.Predicate;

/**
 * A bounded in-process cache with a selectable {@link EvictionPolicy}.
 *
 * <p>Thread-safe. {@link #getIfPresent} does not lock. Keys and values are never null; a missing
 * entry reads as {@code null} from {@link #getIfPresent}, the one method that returns null.
 * Built by {@link #builder()}.
 *
 * @param <K> the key type, with {@code equals}/{@code hashCode}
 * @param <V> the value type
 */
public interface LocalCache<K, V> {

  /** A builder with {@link EvictionPolicy#DEFAULT} and {@link LocalCacheBuilder#DEFAULT_MAXIMUM_SIZE}. */
  static <K, V> LocalCacheBuilder<K, V> builder() {
    return new LocalCacheBuilder<>();
  }

  /** The value for {@code key}, or {@code null} when absent or expired. Counts as an access. */
  V getIfPresent(K key);

  /** Associates {@code value} with {@code key}, evicting by the policy when over the bound. */
  void put(K key, V value);

  /** Removes {@code key}. */
  void invalidate(K key);

  /**
   * Removes {@code key} only if it still maps to {@code expected} (compared by identity), so a
   * writer can take back exactly what it put.
   */
  boolean invalidate(K key, V expected);

  /** Removes everything. */
  void invalidateAll();

  /** Removes every key that {@code keys} accepts; O(n). */
  void invalidateAll(Predicate<? super K> keys);

  /** The number of entries, including expired ones not yet removed. */
  long estimatedSize();

  /** Entries removed by the policy or by expiry. */
  long evictionCount();

  /** Reads that found a value; 0 unless the builder asked to record stats. */
  long hitCount();

  /** Reads that found nothing; 0 unless the builder asked to record stats. */
  long missCount();

  /** Performs pending maintenance now: applies buffered reads and removes expired entries. */
  void cleanUp();

  /** The eviction policy. */
  EvictionPolicy policy();
}
