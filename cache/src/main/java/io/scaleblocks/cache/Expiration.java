package io.scaleblocks.cache;

import java.util.function.ToLongBiFunction;

/**
 * The one expiration mode of a local cache: after write, after access, or per entry.
 * Immutable.
 */
record Expiration<K, V>(long afterWriteNanos, long afterAccessNanos, ToLongBiFunction<? super K, ? super V> perEntry) {

  boolean afterAccess() {
    return afterAccessNanos > 0;
  }

  /** The ticker value at which an entry written at {@code now} expires. */
  long deadline(K key, V value, long now) {
    long ttl;
    if (perEntry != null) {
      ttl = perEntry.applyAsLong(key, value);
    } else if (afterAccessNanos > 0) {
      ttl = afterAccessNanos;
    } else {
      ttl = afterWriteNanos;
    }
    return ttl <= 0 ? now : now + Math.min(ttl, Long.MAX_VALUE >> 1);
  }

  /** Nanoseconds from {@code now} until an entry written at {@code now} expires. */
  long ttl(K key, V value) {
    if (perEntry != null) {
      return Math.max(0, perEntry.applyAsLong(key, value));
    }
    return afterAccessNanos > 0 ? afterAccessNanos : afterWriteNanos;
  }
}
