package io.scaleblocks.cache;

import java.util.Optional;

/**
 * What the local tier of a {@link TieredCacheAside} holds per key, compared by identity so that
 * a filler can take back exactly its own entry.
 *
 * <p>An entry that was put, or loaded in no measurable time, in a cache without a
 * backend has no load time to drive XFetch and no shared expiry, so {@link #of} gives it this
 * class alone: 24 bytes, two fields, the value and one time that is both its deadline and the
 * start of early refresh (never, before the deadline). Such an entry is rewritten in place by
 * the next put of its key ({@link #rewrite}), so a put over a put costs a lookup, not an
 * allocation and a map write. Other entries are {@code Loaded} (56 bytes) and never change. A
 * fresh hit reads only the two fields declared here.
 */
class LocalEntry<V> {

  /*
   * A rewrite stores the value before the time and a hit reads the time before the value, so a
   * reader that sees a rewritten lifetime also sees the value that came with it: a hit never
   * returns an expired value under a fresh deadline.
   */
  volatile Optional<V> value;
  /**
   * Ticker value before which XFetch never refreshes (the truncated tail of its distribution);
   * the deadline itself for this class.
   */
  volatile long refreshFrom;

  private LocalEntry(Optional<V> value, long deadline) {
    this.value = value;
    this.refreshFrom = deadline;
  }

  /**
   * Replaces the value and lifetime of an entry of this class, as a new put of its key would;
   * returns false, changing nothing, for a loaded entry. Concurrent rewrites may leave one's
   * value with the other's deadline, which are both a put's own.
   */
  boolean rewrite(Optional<V> newValue, long newDeadline) {
    value = newValue;
    refreshFrom = newDeadline;
    return true;
  }

  /** {@code filledAt} is the ticker reading when the entry was made (kept only for a shared entry). */
  static <V> LocalEntry<V> of(Optional<V> value, long loadNanos, long deadline, long refreshFrom,
      long expiresAtMillis, long filledAt) {
    return loadNanos == 0 && expiresAtMillis == 0 && refreshFrom == deadline
        ? new LocalEntry<>(value, deadline)
        : new Loaded<>(value, loadNanos, deadline, refreshFrom, expiresAtMillis, filledAt);
  }

  /**
   * The ticker reading when this entry was loaded or read from the backend, which the near cache
   * trusts it by during an outage; {@link Long#MIN_VALUE} (never trusted by age) for an entry of
   * a cache without a backend, which needs no such trust.
   */
  long filledAt() {
    return Long.MIN_VALUE;
  }

  /** Ticker value at which the entry expires. */
  long deadline() {
    return refreshFrom;
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

    private final long deadline;
    private final long loadNanos;
    private final long expiresAtMillis;
    private final long filledAt;

    Loaded(Optional<V> value, long loadNanos, long deadline, long refreshFrom, long expiresAtMillis,
        long filledAt) {
      super(value, refreshFrom);
      this.deadline = deadline;
      this.loadNanos = loadNanos;
      this.expiresAtMillis = expiresAtMillis;
      this.filledAt = filledAt;
    }

    @Override
    long filledAt() {
      return filledAt;
    }

    @Override
    boolean rewrite(Optional<V> newValue, long newDeadline) {
      return false;
    }

    @Override
    long deadline() {
      return deadline;
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
