package io.scaleblocks.cache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Backend invalidations that failed (Redis down, slow, or its circuit open), kept until they are
 * delivered. While a key is here, this instance neither reads nor fills it in the backend, whose
 * copy may be the replaced value: its reads go to the loader. {@link #retry} delivers them.
 *
 * <p>At most about {@code maxKeys} keys are kept. A failed invalidation past that bound is
 * dropped, and from then on <em>every</em> key bypasses the backend, until the kept ones are
 * delivered and {@code entryLifetimeNanos} (the longest a backend entry lives) has passed since
 * the last one dropped: by then every backend copy a dropped invalidation missed has expired. So
 * a long outage costs bounded memory and loads from the loader, never a replaced value read here.
 *
 * <p>Thread-safe. {@link #bypasses} is a read of a flag and an empty map on the usual path.
 */
final class UndeliveredInvalidations<K> {

  /** Failed invalidations kept by key before every key bypasses the backend instead. */
  static final int DEFAULT_MAX_KEYS = 100_000;

  private final int maxKeys;
  private final long entryLifetimeNanos;
  private final LongSupplier ticker;
  /** Key → the token of its newest failed invalidation, so a retry removes only what it delivered. */
  private final Map<K, Object> keys = new ConcurrentHashMap<>();
  /** Set when an invalidation was dropped for want of room; cleared by {@link #retry}. */
  private volatile boolean overflowed;
  /** Under {@code this}: the ticker time before which the overflow cannot end. */
  private long overflowEndsAt;
  private long dropped;

  UndeliveredInvalidations(int maxKeys, long entryLifetimeNanos, LongSupplier ticker) {
    this.maxKeys = maxKeys;
    this.entryLifetimeNanos = entryLifetimeNanos;
    this.ticker = ticker;
  }

  /** Whether {@code key} (or, past the bound, every key) must bypass the backend. */
  boolean bypasses(K key) {
    return overflowed || (!keys.isEmpty() && keys.containsKey(key));
  }

  /** Remembers that the invalidation of {@code key} failed. */
  void add(K key) {
    if (keys.size() < maxKeys || keys.containsKey(key)) {
      keys.put(key, new Object());
      return;
    }
    synchronized (this) {
      overflowed = true;
      overflowEndsAt = ticker.getAsLong() + entryLifetimeNanos;
      dropped++;
    }
  }

  int size() {
    return keys.size();
  }

  /** Whether invalidations were dropped past the bound and every key still bypasses the backend. */
  boolean overflowed() {
    return overflowed;
  }

  /** Invalidations dropped past the bound since this was made. */
  synchronized long dropped() {
    return dropped;
  }

  /**
   * Tries to deliver each; forgets those {@code deliver} returns true for, and ends an overflow
   * whose time has come once none is left. Returns how many are left.
   */
  int retry(Predicate<K> deliver) {
    for (Map.Entry<K, Object> entry : keys.entrySet()) {
      if (deliver.test(entry.getKey())) {
        keys.remove(entry.getKey(), entry.getValue());
      }
    }
    if (overflowed) {
      synchronized (this) {
        if (keys.isEmpty() && ticker.getAsLong() - overflowEndsAt >= 0) {
          overflowed = false;
        }
      }
    }
    return keys.size();
  }
}
