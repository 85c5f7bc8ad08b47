package io.scaleblocks.cache;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invalidations of the shared tier: each drops the backend's copy and lease and tells the other
 * instances; one the backend does not take is kept ({@link UndeliveredInvalidations}) and
 * retried every {@value #RETRY_MILLIS} ms on a thread of its own, and meanwhile its key
 * {@link #bypasses} the shared tier on this instance.
 *
 * <p>Thread-safe.
 */
final class SharedInvalidations<K> {

  private static final Logger LOG = LoggerFactory.getLogger(SharedInvalidations.class);
  /** How often invalidations that the backend did not take are tried again. */
  static final long RETRY_MILLIS = 100;

  private final String name;
  private final GuardedBackend<K, ?> remote;
  private final UndeliveredInvalidations<K> undelivered;
  private final ScheduledExecutorService retrier;

  SharedInvalidations(String name, GuardedBackend<K, ?> remote, long longestTtlNanos, LongSupplier ticker) {
    this.name = name;
    this.remote = remote;
    this.undelivered = new UndeliveredInvalidations<>(UndeliveredInvalidations.DEFAULT_MAX_KEYS, longestTtlNanos,
        ticker);
    this.retrier = Executors.newSingleThreadScheduledExecutor(TieredCacheAside.daemon(name + "-invalidation-retry"));
    retrier.scheduleWithFixedDelay(this::retry, RETRY_MILLIS, RETRY_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** The backend's copy and lease go, and other instances are told; a failure is retried later. */
  void invalidate(K key) {
    if (!remote.invalidate(key)) {
      undelivered.add(key);
    }
  }

  /** Whether {@code key} has an undelivered invalidation (or the bound overflowed): skip the shared tier. */
  boolean bypasses(K key) {
    return undelivered.bypasses(key);
  }

  /** Delivers the invalidations that failed; runs on the retry thread. */
  private void retry() {
    try {
      int left = undelivered.retry(remote::invalidate);
      if (left > 0) {
        LOG.debug("{} - {} invalidations still undelivered; their keys bypass the shared tier", name, left);
      }
    } catch (Throwable t) {
      LOG.warn("{} - retrying undelivered invalidations failed; trying again later", name, t);
    }
  }

  /** Stops retrying after one last attempt, and says what the shared tier never took. */
  void close() {
    retrier.shutdown();
    retry();
    if (undelivered.size() > 0 || undelivered.dropped() > 0) {
      LOG.warn("{} - closed with {} invalidations the shared tier never took ({} more dropped past the bound);"
          + " other instances may serve those keys' replaced values until they expire", name,
          undelivered.size(), undelivered.dropped());
    }
  }
}
