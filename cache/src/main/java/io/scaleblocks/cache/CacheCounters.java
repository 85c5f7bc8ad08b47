package io.scaleblocks.cache;

import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind {@link CacheStats}. Hits, misses and puts are counted only when the
 * builder asked to record stats (the callers check); loads, remote hits and store writes always.
 * Thread-safe.
 */
final class CacheCounters {

  final LongAdder hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder remoteHits = new LongAdder();
  final LongAdder loadSuccesses = new LongAdder();
  final LongAdder loadFailures = new LongAdder();
  final LongAdder loadNanos = new LongAdder();
  final LongAdder puts = new LongAdder();
  final LongAdder directStoreWrites = new LongAdder();

  /** A load that succeeded after {@code took} nanoseconds. */
  void loaded(long took) {
    loadSuccesses.increment();
    loadNanos.add(took);
  }

  CacheStats snapshot(long evictions, long backendErrors, long behindStoreWrites, long quarantines) {
    return new CacheStats(hits.sum(), misses.sum(), remoteHits.sum(), loadSuccesses.sum(), loadFailures.sum(),
        loadNanos.sum(), puts.sum(), evictions, backendErrors, directStoreWrites.sum() + behindStoreWrites,
        quarantines);
  }
}
