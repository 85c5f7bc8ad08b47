package io.scaleblocks.cache;

/** The weight of an entry, for caches bounded by weight rather than count. */
@FunctionalInterface
public interface Weigher<K, V> {

  /** A non-negative weight; an entry heavier than the cache's maximum is never kept. */
  long weigh(K key, V value);
}
