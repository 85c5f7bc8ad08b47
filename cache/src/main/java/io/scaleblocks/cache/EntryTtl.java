package io.scaleblocks.cache;

/** A time to live chosen per entry when it is written, in nanoseconds of the cache's ticker. */
@FunctionalInterface
public interface EntryTtl<K, V> {

  /** How long after this write the entry expires; zero or less expires it at once. */
  long ttlNanos(K key, V value);
}
