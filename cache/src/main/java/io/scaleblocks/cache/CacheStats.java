package io.scaleblocks.cache;

/**
 * A snapshot of a {@link CacheAside}'s counters since it was built. Hits, misses and puts are
 * counted only when its builder asked to record stats; loads and errors always are.
 *
 * @param hits reads served from the local tier
 * @param misses reads that went further (remote tier or loader)
 * @param remoteHits misses served by the remote tier
 * @param loadSuccesses loader calls that returned
 * @param loadFailures loader calls that threw
 * @param totalLoadNanos time spent in the loader
 * @param puts entries written to the cache
 * @param evictions entries the local policy dropped
 * @param remoteErrors remote-tier calls that failed (down, slow, or circuit open)
 * @param storeWrites keys written or deleted in the store
 */
public record CacheStats(long hits, long misses, long remoteHits, long loadSuccesses, long loadFailures,
    long totalLoadNanos, long puts, long evictions, long remoteErrors, long storeWrites) {

  /** Hits over reads, or 1 when nothing was read. */
  public double hitRatio() {
    long reads = hits + misses;
    return reads == 0 ? 1.0 : (double) hits / reads;
  }
}
