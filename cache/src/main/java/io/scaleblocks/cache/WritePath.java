package io.scaleblocks.cache;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CacheAside#write} and {@link CacheAside#delete} by {@link WriteStrategy}. Writes of one
 * key are serialised by a per-key lock, so two concurrent writes leave the cache agreeing with
 * the store; writes of different keys do not wait for each other. The order of the two places
 * is the strategy's: the store first, then the cache (through and around), or the write-behind
 * queue first, then the cache (back). A store failure leaves the cache as it was. After
 * {@link #close} writes are refused. Thread-safe.
 */
abstract sealed class WritePath<K, V> permits WritePath.WriteThrough, WritePath.WriteAround, WritePath.WriteBack {

  final String name;
  final Store<K, V> store;
  final TierWriter<K, V> tiers;
  private final CacheCounters counters;
  private final KeyLocks locks = new KeyLocks();
  private volatile boolean closed;

  private WritePath(CacheAsideBuilder<K, V> b, TierWriter<K, V> tiers, CacheCounters counters) {
    this.name = b.name;
    this.store = b.store;
    this.tiers = tiers;
    this.counters = counters;
  }

  static <K, V> WritePath<K, V> of(CacheAsideBuilder<K, V> b, TierWriter<K, V> tiers, CacheCounters counters) {
    return switch (b.writeStrategy) {
      case WRITE_THROUGH -> new WriteThrough<>(b, tiers, counters);
      case WRITE_AROUND -> new WriteAround<>(b, tiers, counters);
      case WRITE_BACK -> new WriteBack<>(b, tiers, counters);
    };
  }

  final void write(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    locked(key, () -> written(key, Optional.of(value)));
  }

  final void delete(K key) {
    Objects.requireNonNull(key, "key");
    locked(key, () -> written(key, Optional.empty()));
  }

  private void locked(K key, Runnable write) {
    if (closed) {
      throw new IllegalStateException(name + " - closed; the write of " + key + " was refused");
    }
    if (store == null) {
      throw new IllegalStateException(name + " - write and delete need a store; see CacheAsideBuilder.store");
    }
    ReentrantLock lock = locks.of(key);
    lock.lock();
    try {
      write.run();
    } finally {
      lock.unlock();
    }
  }

  /** Applies a write ({@code value} present) or a delete (empty), under the key's lock. */
  abstract void written(K key, Optional<V> value);

  /** Writes the store directly; a failure leaves the cache unchanged. */
  final void storeWrite(K key, Optional<V> value) {
    try {
      if (value.isPresent()) {
        store.write(key, value.get());
      } else {
        store.delete(key);
      }
      counters.directStoreWrites.increment();
    } catch (Exception e) {
      throw new CacheWriteException(name + " - storing " + key + " failed; the cache is unchanged", e);
    }
  }

  /** Stores what is pending now; whether everything was stored. */
  boolean flush() {
    return true;
  }

  int pendingWrites() {
    return 0;
  }

  long behindStoreWrites() {
    return 0;
  }

  long quarantines() {
    return 0;
  }

  /** Refuses later writes; write-back also stores what is pending, or throws naming what was lost. */
  void close() {
    closed = true;
  }

  /** The store, then the new value in every tier. */
  static final class WriteThrough<K, V> extends WritePath<K, V> {
    WriteThrough(CacheAsideBuilder<K, V> b, TierWriter<K, V> tiers, CacheCounters counters) {
      super(b, tiers, counters);
    }

    @Override
    void written(K key, Optional<V> value) {
      storeWrite(key, value);
      if (value.isPresent()) {
        tiers.cacheNow(key, value);
      } else {
        tiers.invalidate(key);
      }
    }
  }

  /** The store, then the key dropped from every tier: the next read loads it. */
  static final class WriteAround<K, V> extends WritePath<K, V> {
    WriteAround(CacheAsideBuilder<K, V> b, TierWriter<K, V> tiers, CacheCounters counters) {
      super(b, tiers, counters);
    }

    @Override
    void written(K key, Optional<V> value) {
      storeWrite(key, value);
      tiers.invalidate(key);
    }
  }

  /**
   * The write-behind queue, then the new value (or "not found") in every tier; a flusher stores
   * the queue every {@code flushInterval} and then drops the stored keys from the shared tier.
   */
  static final class WriteBack<K, V> extends WritePath<K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(WriteBack.class);

    final WriteBehindQueue<K, V> queue;
    private final ScheduledExecutorService flusher;

    WriteBack(CacheAsideBuilder<K, V> b, TierWriter<K, V> tiers, CacheCounters counters) {
      super(b, tiers, counters);
      this.queue = new WriteBehindQueue<>(name, store, b.maxPendingWrites, b.writeBatchSize, b.writeAttempts,
          b.writeBackoffNanos, b.maxWriteWaitNanos, b.sleeper, b.onQuarantine, this::storedBehind);
      this.flusher = Executors.newSingleThreadScheduledExecutor(TieredCacheAside.daemon(name + "-write-back"));
      long interval = b.flushInterval.toNanos();
      flusher.scheduleWithFixedDelay(this::scheduledFlush, interval, interval, TimeUnit.NANOSECONDS);
    }

    @Override
    void written(K key, Optional<V> value) {
      queue.enqueue(key, value);
      tiers.cacheNow(key, value);
    }

    /**
     * Write-back entries just reached the store. Another instance may have loaded the old row
     * before the flush and filled the shared tier with it; dropping the keys from the shared tier
     * (and so every near cache) makes the next read load the stored row. A key rewritten during
     * the flush is not among them: the shared tier holds its newer value, the store its older row.
     */
    private void storedBehind(Set<K> keys) {
      keys.forEach(tiers::invalidateShared);
    }

    /**
     * A periodic flush. Catches everything: a scheduled task that throws is never run again, and
     * an {@code Error} from one flush must not stop the next.
     */
    private void scheduledFlush() {
      try {
        queue.flush();
      } catch (Throwable t) {
        LOG.error("{} - a scheduled write-back flush failed; its writes stay pending for the next one", name, t);
      }
    }

    @Override
    boolean flush() {
      return queue.flush();
    }

    @Override
    int pendingWrites() {
      return queue.size();
    }

    @Override
    long behindStoreWrites() {
      return queue.storeWrites();
    }

    @Override
    long quarantines() {
      return queue.quarantines();
    }

    @Override
    void close() {
      super.close();
      queue.close();
      flusher.shutdown();
      try {
        flusher.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      queue.flush();
      String lost = queue.lost();
      if (lost != null) {
        throw new CacheWriteException(name + " - " + lost, null);
      }
    }
  }
}
