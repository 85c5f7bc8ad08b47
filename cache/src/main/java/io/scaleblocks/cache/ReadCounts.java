package io.scaleblocks.cache;

import java.util.concurrent.atomic.LongAdder;

/**
 * The hits and misses of a local cache, counted only when the cache records stats: without,
 * recording costs one null check and the counts stay 0. Thread-safe.
 */
final class ReadCounts {

  private final LongAdder hits;
  private final LongAdder misses;

  ReadCounts(boolean enabled) {
    this.hits = enabled ? new LongAdder() : null;
    this.misses = enabled ? new LongAdder() : null;
  }

  void hit() {
    if (hits != null) {
      hits.increment();
    }
  }

  void miss() {
    if (misses != null) {
      misses.increment();
    }
  }

  /** Counts a hit when {@code value} is not null, a miss otherwise; returns {@code value}. */
  <V> V count(V value) {
    if (hits != null) {
      (value == null ? misses : hits).increment();
    }
    return value;
  }

  long hits() {
    return hits == null ? 0 : hits.sum();
  }

  long misses() {
    return misses == null ? 0 : misses.sum();
  }
}
