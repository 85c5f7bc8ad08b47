package io.scaleblocks.cache;

import java.util.Optional;

/**
 * What the local tier of a {@link TieredCacheAside} holds per key, compared by identity so that
 * a filler can take back exactly its own entry.
 *
 * <p>An entry that was put rather than loaded, in a cache without a backend, has no load time to
 * drive XFetch and no shared expiry, so {@link #of} gives it this class alone (32 bytes instead of
 * 48). Such an entry is rewritten in place by the next put of its key ({@link #rewrite}), so a
 * put over a put costs a lookup, not an allocation and a map write. A loaded entry never
 * changes. The hit path reads only the fields declared here.
 */
class LocalEntry<V> {

  /*
   * A rewrite stores the value before the times and a hit reads the times before the value, so
   * a reader that sees a rewritten lifetime also sees the value that came with it: a hit never
   * returns an expired value under a fresh deadline.
   */
  volatile Optional<V> value;
  /** Ticker value at which the entry expires. */
  volatile long deadline;
  /** Ticker value before which XFetch never refreshes (the truncated tail of its distribution). */
  volatile long refreshFrom;

  private LocalEntry(Optional<V> value, long deadline, long refreshFrom) {
    this.value = value;
    this.deadline = deadline;
    this.refreshFrom = refreshFrom;
  }

  /**
   * Replaces the value and lifetime of an entry that a put created, as a new put of its key
   * would; returns false, changing nothing, for a loaded entry. Concurrent rewrites may leave
   * one's value with the other's deadline, which are both a put's own.
   */
  boolean rewrite(Optional<V> newValue, long newDeadline) {
    value = newValue;
    deadline = newDeadline;
    refreshFrom = newDeadline;
    return true;
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
    boolean rewrite(Optional<V> newValue, long newDeadline) {
      return false;
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
