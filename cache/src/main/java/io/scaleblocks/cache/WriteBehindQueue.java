package io.scaleblocks.cache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pending writes of a write-back cache: one entry per key (later writes to a key replace
 * earlier ones, so a hot key costs one store write per flush), at most {@code maxPending} keys,
 * flushed in batches by one flusher at a time.
 *
 * <p>Thread-safe. {@link #enqueue} blocks while the queue is full (back-pressure) until a flush
 * makes room. A batch that fails is retried with exponential back-off; after the last attempt
 * it stays pending for the next flush, so nothing acknowledged is dropped while the process
 * lives. A crash loses every pending entry: at most {@code maxPending} keys, written since the
 * last successful flush.
 */
final class WriteBehindQueue<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(WriteBehindQueue.class);

  /** Sleeps between retries; tests replace it. */
  interface Sleeper {
    void sleep(long nanos) throws InterruptedException;
  }

  private final String name;
  private final Store<K, V> store;
  private final int maxPending;
  private final int batchSize;
  private final int attempts;
  private final long backoffNanos;
  private final Sleeper sleeper;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notFull = lock.newCondition();
  private final ReentrantLock flushLock = new ReentrantLock();
  private final LinkedHashMap<K, Optional<V>> pending = new LinkedHashMap<>();
  private final AtomicLong storeWrites = new AtomicLong();

  WriteBehindQueue(String name, Store<K, V> store, int maxPending, int batchSize, int attempts,
      long backoffNanos, Sleeper sleeper) {
    this.name = name;
    this.store = store;
    this.maxPending = maxPending;
    this.batchSize = batchSize;
    this.attempts = attempts;
    this.backoffNanos = backoffNanos;
    this.sleeper = sleeper;
  }

  /** Queues a write (or, with an empty value, a delete), waiting while the queue is full. */
  void enqueue(K key, Optional<V> value) {
    lock.lock();
    try {
      while (pending.size() >= maxPending && !pending.containsKey(key)) {
        notFull.awaitUninterruptibly();
      }
      // A new Optional per write, so the flusher can tell a rewrite during its batch by identity.
      pending.put(key, value.isPresent() ? Optional.of(value.get()) : Optional.empty());
    } finally {
      lock.unlock();
    }
  }

  /** The newest pending write for {@code key}: a value, an empty value for a delete, or null. */
  Optional<V> pending(K key) {
    lock.lock();
    try {
      return pending.get(key);
    } finally {
      lock.unlock();
    }
  }

  int size() {
    lock.lock();
    try {
      return pending.size();
    } finally {
      lock.unlock();
    }
  }

  long storeWrites() {
    return storeWrites.get();
  }

  /**
   * Writes everything pending when called, in batches. Returns whether it all reached the store;
   * what failed after every attempt stays pending.
   */
  boolean flush() {
    flushLock.lock();
    try {
      Map<K, Optional<V>> snapshot;
      lock.lock();
      try {
        snapshot = new LinkedHashMap<>(pending);
      } finally {
        lock.unlock();
      }
      boolean all = true;
      List<Map.Entry<K, Optional<V>>> batch = new ArrayList<>(batchSize);
      for (Map.Entry<K, Optional<V>> entry : snapshot.entrySet()) {
        batch.add(entry);
        if (batch.size() == batchSize) {
          all &= writeBatch(batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        all &= writeBatch(batch);
      }
      return all;
    } finally {
      flushLock.unlock();
    }
  }

  private boolean writeBatch(List<Map.Entry<K, Optional<V>>> batch) {
    Map<K, V> writes = new HashMap<>();
    Set<K> deletes = new HashSet<>();
    for (Map.Entry<K, Optional<V>> entry : batch) {
      if (entry.getValue().isPresent()) {
        writes.put(entry.getKey(), entry.getValue().get());
      } else {
        deletes.add(entry.getKey());
      }
    }
    long backoff = backoffNanos;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        if (!writes.isEmpty()) {
          store.writeAll(writes);
        }
        if (!deletes.isEmpty()) {
          store.deleteAll(deletes);
        }
        storeWrites.addAndGet(batch.size());
        settle(batch);
        return true;
      } catch (Exception e) {
        if (attempt == attempts) {
          LOG.warn("{} - write-back of {} entries failed after {} attempts; they stay pending",
              name, batch.size(), attempts, e);
          return false;
        }
        try {
          sleeper.sleep(backoff);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return false;
        }
        backoff = Math.min(backoff * 2, TimeUnit.SECONDS.toNanos(30));
      }
    }
    return false;
  }

  /** Drops what was written, unless the key was written again meanwhile. */
  private void settle(List<Map.Entry<K, Optional<V>>> batch) {
    lock.lock();
    try {
      for (Map.Entry<K, Optional<V>> entry : batch) {
        pending.remove(entry.getKey(), entry.getValue());
      }
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
