package io.scaleblocks.cache;

import java.util.Optional;

/**
 * What the local tier of a {@link TieredCacheAside} holds per key. Immutable; compared by
 * identity, so a filler can take back exactly its own entry.
 */
final class LocalEntry<V> {

  final Optional<V> value;
  final long loadNanos;
  /** Ticker value at which the entry expires. */
  final long deadline;
  /** Ticker value before which XFetch never refreshes (the truncated tail of its distribution). */
  final long refreshFrom;
  final long expiresAtMillis;

  LocalEntry(Optional<V> value, long loadNanos, long deadline, long refreshFrom, long expiresAtMillis) {
    this.value = value;
    this.loadNanos = loadNanos;
    this.deadline = deadline;
    this.refreshFrom = refreshFrom;
    this.expiresAtMillis = expiresAtMillis;
  }

  CacheEntry<V> toRemote() {
    return new CacheEntry<>(value, loadNanos, expiresAtMillis);
  }
}
