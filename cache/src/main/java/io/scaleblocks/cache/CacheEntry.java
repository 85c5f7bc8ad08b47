package io.scaleblocks.cache;

import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link CacheBackend} stores for a key: the value, or the fact that the source has none
 * (a negative entry), with what XFetch early refresh needs.
 *
 * @param value the value; empty for a cached "not found"
 * @param loadNanos how long the load that produced it took
 * @param expiresAtMillis when it expires, in epoch milliseconds
 */
public record CacheEntry<V>(Optional<V> value, long loadNanos, long expiresAtMillis) {

  public CacheEntry {
    Objects.requireNonNull(value, "value");
    if (loadNanos < 0) {
      throw new IllegalArgumentException("loadNanos must be >= 0 but was " + loadNanos);
    }
  }
}
