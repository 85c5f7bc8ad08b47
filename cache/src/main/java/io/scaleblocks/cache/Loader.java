package io.scaleblocks.cache;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the source of truth (the database) on a cache miss.
 *
 * <p>Implementations must be thread-safe; a {@link CacheAside} calls them from the reader's
 * thread and, for early refresh, from its refresh executor. A loader may read other keys through
 * the cache, but not the key it is loading, and loaders may not read each other's keys in a
 * cycle (the loader of {@code a} reads {@code b} while the loader of {@code b} reads {@code a},
 * in one cache or across caches): such a call fails with an {@link IllegalStateException}
 * naming the key (which reaches the caller as the cause of a {@link CacheLoadException}) rather
 * than waiting forever.
 */
@FunctionalInterface
public interface Loader<K, V> {

  /** The value for {@code key}, or empty when the source has none (which may be cached too). */
  Optional<V> load(K key) throws Exception;

  /**
   * The values of several keys in one round trip; keys missing from the result do not exist.
   * The default calls {@link #load} per key; override it to batch (one {@code IN (...)} query).
   */
  /**
   * A loader from a lookup that returns the value or {@code null} for "not found", as most DAOs
   * and JDBC helpers do: {@code CacheAside.builder(Loader.nullable(userDao::findOrNull))}.
   */
  static <K, V> Loader<K, V> nullable(NullableLoad<K, V> lookup) {
    Objects.requireNonNull(lookup, "lookup");
    return key -> Optional.ofNullable(lookup.load(key));
  }

  /** A lookup that returns the value of a key, or {@code null} when the source has none. */
  @FunctionalInterface
  interface NullableLoad<K, V> {
    V load(K key) throws Exception;
  }

  default Map<K, V> loadAll(Set<? extends K> keys) throws Exception {
    Map<K, V> found = new HashMap<>();
    for (K key : keys) {
      load(key).ifPresent(value -> found.put(key, value));
    }
    return found;
  }
}
