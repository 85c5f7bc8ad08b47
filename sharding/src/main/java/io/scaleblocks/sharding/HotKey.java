package io.scaleblocks.sharding;

import java.util.Objects;

/**
 * A key that holds at least the configured share of a window's traffic.
 *
 * @param key the key
 * @param count its estimated number of accesses in the window (never below the true number)
 * @param share {@code count} over the accesses in the window
 * @param <K> the key type
 */
public record HotKey<K>(K key, long count, double share) {
  public HotKey {
    Objects.requireNonNull(key, "key must not be null");
  }
}
