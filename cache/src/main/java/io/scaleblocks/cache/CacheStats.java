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
 * @param quarantinedWrites write-back writes the store refused on their own while the rest of
 *     their batch was stored (each counted once; see {@code CacheAsideBuilder.onQuarantine})
 */
public record CacheStats(long hits, long misses, long remoteHits, long loadSuccesses, long loadFailures,
    long totalLoadNanos, long puts, long evictions, long remoteErrors, long storeWrites,
    long quarantinedWrites) {

  /**
   * Hits over reads, or {@link Double#NaN} when no read was counted: hits and misses are counted
   * only with {@code recordStats()}, and a cache that counted nothing has no hit ratio.
   */
  public double hitRatio() {
    long reads = hits + misses;
    return reads == 0 ? Double.NaN : (double) hits / reads;
  }
}
