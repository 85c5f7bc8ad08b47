package io.scaleblocks.cache;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * Stale-set protection in process: every key hashes to one of {@value #STRIPES} counters that
 * invalidations, puts and writes increment ({@link #bump}) before they touch the cache. A fill
 * reads its key's counter ({@link #read}) before loading, puts its entry, then reads the counter
 * again and takes back exactly its own entry if it moved. Because invalidators bump before
 * removing and fillers put before re-checking, every interleaving ends without the old value. A
 * collision between keys only costs a skipped fill.
 *
 * <p>Loads run inside {@link #duringLoad}, so that a put, which is far more frequent than an
 * invalidation, can skip the bump when no load is running ({@link #bumpIfLoading}).
 *
 * <p>Thread-safe.
 */
final class WriteEpochs {

  static final int STRIPES = 4096;

  private final AtomicLongArray epochs = new AtomicLongArray(STRIPES);
  /** Loads and refreshes running now. */
  private final AtomicInteger loads = new AtomicInteger();

  /** The current epoch of {@code key}'s stripe. */
  long read(Object key) {
    return epochs.get(stripe(key));
  }

  /** Moves {@code key}'s epoch: a fill that read the old one takes its entry back. */
  void bump(Object key) {
    epochs.incrementAndGet(stripe(key));
  }

  /**
   * Moves {@code key}'s epoch only when a load may be running. A load that starts after this
   * check reads the source after the caller's store write (or finds the pending write-back), so
   * it cannot bring back an older value. Returns whether it bumped.
   */
  boolean bumpIfLoading(Object key) {
    if (loads.get() > 0) {
      bump(key);
      return true;
    }
    return false;
  }

  /** Moves every epoch: every fill running now takes its entry back. */
  void bumpAll() {
    for (int i = 0; i < STRIPES; i++) {
      epochs.incrementAndGet(i);
    }
  }

  /** Runs {@code load} counted as a running load, for {@link #bumpIfLoading}. */
  <T> T duringLoad(Supplier<T> load) {
    loads.incrementAndGet();
    try {
      return load.get();
    } finally {
      loads.decrementAndGet();
    }
  }

  private static int stripe(Object key) {
    int h = key.hashCode() * 0x9E3779B9;
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }
}
