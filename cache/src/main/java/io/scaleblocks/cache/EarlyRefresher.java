package io.scaleblocks.cache;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * XFetch early refresh ({@link Lifetimes#refreshDue}): a hit that draws a refresh hands it to the
 * refresh executor, which runs {@link FillPipeline#refresh}. At most one refresh per key is
 * queued or running, tracked apart from the misses' flights: a miss never waits for a refresh,
 * so a refresh that the executor drops, delays or fails cannot hold a reader up or hand it a
 * value. A failed refresh leaves the cached value until it expires.
 *
 * <p>Without an executor of the user's, at most four refreshes run at once on daemon threads of
 * this cache; a refresh that finds them busy is skipped. Thread-safe.
 */
final class EarlyRefresher<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(EarlyRefresher.class);

  private final String name;
  private final Lifetimes lifetimes;
  private final SingleFlight<K, LocalEntry<V>> flights;
  private final WriteEpochs epochs;
  private final FillPipeline<K, V> pipeline;
  private final Executor executor;
  /** The executor this cache made and shuts down; null when the user gave one. */
  private final ExecutorService owned;
  /** Keys with a refresh queued or running. */
  private final Set<K> refreshing = ConcurrentHashMap.newKeySet();

  EarlyRefresher(CacheAsideBuilder<K, V> b, Lifetimes lifetimes, SingleFlight<K, LocalEntry<V>> flights,
      WriteEpochs epochs, FillPipeline<K, V> pipeline) {
    this.name = b.name;
    this.lifetimes = lifetimes;
    this.flights = flights;
    this.epochs = epochs;
    this.pipeline = pipeline;
    if (b.refreshExecutor != null) {
      this.executor = b.refreshExecutor;
      this.owned = null;
    } else {
      this.owned = new ThreadPoolExecutor(0, 4, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
          TieredCacheAside.daemon(name + "-refresh"));
      this.executor = owned;
    }
  }

  /** A hit of {@code entry} at {@code now}: maybe starts its refresh. */
  void refreshIfDue(K key, LocalEntry<V> entry, long now) {
    if (!lifetimes.refreshDue(entry, now) || flights.isRunning(key) || !refreshing.add(key)) {
      return;
    }
    try {
      executor.execute(() -> {
        try {
          epochs.duringLoad(() -> pipeline.refresh(key, entry));
        } catch (RuntimeException | Error e) {
          LOG.debug("{} - early refresh of {} failed; the cached value stays until it expires", name, key, e);
        } finally {
          refreshing.remove(key);
        }
      });
    } catch (RuntimeException e) {
      refreshing.remove(key);
      LOG.debug("{} - the refresh executor refused the early refresh of {}: {}", name, key, e.toString());
    }
  }

  void close() {
    if (owned != null) {
      owned.shutdown();
    }
  }
}
