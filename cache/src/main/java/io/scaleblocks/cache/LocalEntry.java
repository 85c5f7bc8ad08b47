package io.scaleblocks.cache;

import java.util.Optional;

/**
 * What the local tier of a {@link TieredCacheAside} holds per key. Immutable; compared by
 * identity, so a filler can take back exactly its own entry.
 *
 * <p>An entry that was put rather than loaded, in a cache without a backend, has no load time to
 * drive XFetch and no shared expiry, so {@link #of} gives it this class alone (32 bytes instead of
 * 48): {@code put} allocates less. The hit path reads only the fields declared here.
 */
class LocalEntry<V> {

  final Optional<V> value;
  /** Ticker value at which the entry expires. */
  final long deadline;
  /** Ticker value before which XFetch never refreshes (the truncated tail of its distribution). */
  final long refreshFrom;

  private LocalEntry(Optional<V> value, long deadline, long refreshFrom) {
    this.value = value;
    this.deadline = deadline;
    this.refreshFrom = refreshFrom;
  }

  static <V> LocalEntry<V> of(Optional<V> value, long loadNanos, long deadline, long refreshFrom,
      long expiresAtMillis) {
    return loadNanos == 0 && expiresAtMillis == 0
        ? new LocalEntry<>(value, deadline, refreshFrom)
        : new Loaded<>(value, loadNanos, deadline, refreshFrom, expiresAtMillis);
  }

  /** How long the load that produced the value took, in ticker nanoseconds; 0 for a put. */
  long loadNanos() {
    return 0;
  }

  /** Wall-clock expiry shared through the backend; 0 without a backend. */
  long expiresAtMillis() {
    return 0;
  }

  CacheEntry<V> toRemote() {
    return new CacheEntry<>(value, loadNanos(), expiresAtMillis());
  }

  /** An entry with a load time (XFetch needs it) or a wall-clock expiry (the backend needs it). */
  private static final class Loaded<V> extends LocalEntry<V> {

    private final long loadNanos;
    private final long expiresAtMillis;

    Loaded(Optional<V> value, long loadNanos, long deadline, long refreshFrom, long expiresAtMillis) {
      super(value, deadline, refreshFrom);
      this.loadNanos = loadNanos;
      this.expiresAtMillis = expiresAtMillis;
    }

    @Override
    long loadNanos() {
      return loadNanos;
    }

    @Override
    long expiresAtMillis() {
      return expiresAtMillis;
    }
  }
}
