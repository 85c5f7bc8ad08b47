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
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pending writes of a write-back cache: one entry per key (later writes to a key replace
 * earlier ones, so a hot key costs one store write per flush), at most {@code maxPending} keys,
 * flushed in batches by one flusher at a time.
 *
 * <p>Every acknowledged write ends in exactly one of three ways: it is stored; it is still
 * pending at {@link #close()}, which names it; or {@link #enqueue} refused it with an exception
 * (queue full for longer than {@code maxWaitNanos}, the writer interrupted, or the queue closed).
 * Whether a rewrite arrived while its key's batch was being stored is decided by a sequence
 * number per write, never by the values' {@code equals}.
 *
 * <p>A batch that fails is retried with exponential back-off. After its last attempt it is
 * bisected, one attempt per half, so that rows the store refuses are told apart from the rest:
 * the others are stored, and each refused row is <em>quarantined</em> (reported once to the
 * listener, counted, kept pending and visible to reads, tried alone again at each flush, until
 * stored, rewritten, or named as lost at close); so is a batch of one row that fails its last
 * attempt. A bisection in which no part succeeds stops after about {@code 2 log2(batch)} failed
 * calls. A flush in which no store call succeeds is taken for a store outage: nothing is
 * quarantined and every write stays pending, so a row failing alone, with nothing else stored in
 * its flush, is quarantined at the first flush that stores something else.
 *
 * <p>An {@code Error} from the store (other than a {@link VirtualMachineError}, a stack overflow
 * excepted) is a failure of that call, like an exception.
 *
 * <p>Thread-safe. A crash loses every pending entry: at most {@code maxPending} keys.
 */
final class WriteBehindQueue<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(WriteBehindQueue.class);
  /** Lost keys named in the exception of {@link #close()}; the count says how many more. */
  private static final int NAMED_LOST_KEYS = 20;

  /** Sleeps between retries; tests replace it. */
  interface Sleeper {
    void sleep(long nanos) throws InterruptedException;
  }

  /** One acknowledged write: a value, or empty for a delete, and its sequence number. */
  private record Write<V>(Optional<V> value, long sequence) {}

  private final String name;
  private final Store<K, V> store;
  private final int maxPending;
  private final int batchSize;
  private final int attempts;
  private final long backoffNanos;
  private final long maxWaitNanos;
  private final Sleeper sleeper;
  private final BiConsumer<? super K, ? super Exception> onQuarantine;
  private final Consumer<Set<K>> onStored;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notFull = lock.newCondition();
  private final ReentrantLock flushLock = new ReentrantLock();
  /** Under {@link #lock}: every write not yet stored, quarantined ones included. */
  private final LinkedHashMap<K, Write<V>> pending = new LinkedHashMap<>();
  /** Under {@link #lock}: the sequence numbers of quarantined writes, by key. */
  private final Map<K, Long> quarantined = new HashMap<>();
  private long nextSequence;
  private boolean closed;
  private final AtomicLong storeWrites = new AtomicLong();
  private final AtomicLong quarantines = new AtomicLong();

  WriteBehindQueue(String name, Store<K, V> store, int maxPending, int batchSize, int attempts,
      long backoffNanos, long maxWaitNanos, Sleeper sleeper,
      BiConsumer<? super K, ? super Exception> onQuarantine, Consumer<Set<K>> onStored) {
    this.name = name;
    this.store = store;
    this.maxPending = maxPending;
    this.batchSize = batchSize;
    this.attempts = attempts;
    this.backoffNanos = backoffNanos;
    this.maxWaitNanos = maxWaitNanos;
    this.sleeper = sleeper;
    this.onQuarantine = onQuarantine;
    this.onStored = onStored;
  }

  /**
   * Queues a write (or, with an empty value, a delete), waiting at most {@code maxWaitNanos}
   * while the queue is full.
   *
   * @throws IllegalStateException if the queue was closed
   * @throws CacheWriteException if the queue stayed full, or the writer was interrupted while it
   *     waited (its interrupt status is set again); the write was not queued
   */
  void enqueue(K key, Optional<V> value) {
    try {
      lock.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheWriteException(name + " - interrupted before queueing the write of " + key
          + "; it was not queued", e);
    }
    try {
      long wait = maxWaitNanos;
      while (!closed && pending.size() >= maxPending && !pending.containsKey(key)) {
        if (wait <= 0) {
          throw new CacheWriteException(name + " - the write-back queue stayed full (" + maxPending
              + " keys) for " + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos) + " ms; the write of " + key
              + " was not queued", null);
        }
        wait = notFull.awaitNanos(wait);
      }
      if (closed) {
        throw new IllegalStateException(name + " - closed; the write of " + key + " was not queued");
      }
      pending.put(key, new Write<>(value, nextSequence++));
      quarantined.remove(key);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CacheWriteException(name + " - interrupted while the write-back queue was full; the write of "
          + key + " was not queued", e);
    } finally {
      lock.unlock();
    }
  }

  /** The newest pending write for {@code key}: a value, an empty value for a delete, or null. */
  Optional<V> pending(K key) {
    lock.lock();
    try {
      Write<V> write = pending.get(key);
      return write == null ? null : write.value();
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

  /** Keys whose write the store refused on its own, and that wait, pending, for a rewrite or a retry. */
  int quarantinedNow() {
    lock.lock();
    try {
      return quarantined.size();
    } finally {
      lock.unlock();
    }
  }

  /** How many times a write was quarantined since the queue was made. */
  long quarantines() {
    return quarantines.get();
  }

  long storeWrites() {
    return storeWrites.get();
  }

  /**
   * Writes everything pending when called: quarantined writes one by one, the rest in batches.
   * Returns whether it all reached the store; what did not stays pending.
   */
  boolean flush() {
    flushLock.lock();
    try {
      List<Map.Entry<K, Write<V>>> normal = new ArrayList<>();
      List<Map.Entry<K, Write<V>>> refused = new ArrayList<>();
      lock.lock();
      try {
        for (Map.Entry<K, Write<V>> entry : pending.entrySet()) {
          Long sequence = quarantined.get(entry.getKey());
          boolean isQuarantined = sequence != null && sequence == entry.getValue().sequence();
          (isQuarantined ? refused : normal).add(Map.entry(entry.getKey(), entry.getValue()));
        }
      } finally {
        lock.unlock();
      }
      // Every store call of this flush runs under flushLock, so a change of storeWrites means
      // one of them succeeded: the store is up, and rows failing alone were refused.
      long storedBefore = storeWrites.get();
      Map<Map.Entry<K, Write<V>>, Exception> failedAlone = new LinkedHashMap<>();
      boolean all = true;
      for (int from = 0; from < normal.size(); from += batchSize) {
        all &= writeBatch(normal.subList(from, Math.min(normal.size(), from + batchSize)), failedAlone);
      }
      for (Map.Entry<K, Write<V>> entry : refused) {
        all &= tryOnce(List.of(entry)) == null;
      }
      if (storeWrites.get() != storedBefore) {
        failedAlone.forEach(this::quarantine);
      } else if (!all) {
        LOG.warn("{} - no write-back call of this flush succeeded; the store looks down, {} writes stay pending"
            + " and none is quarantined", name, normal.size() + refused.size(),
            failedAlone.isEmpty() ? null : failedAlone.values().iterator().next());
      }
      return all;
    } finally {
      flushLock.unlock();
    }
  }

  /**
   * Writes one batch with retries; after the last attempt, bisects it and adds each row that
   * failed alone to {@code failedAlone}, for {@link #flush} to quarantine unless nothing it tried
   * was stored.
   */
  private boolean writeBatch(List<Map.Entry<K, Write<V>>> batch, Map<Map.Entry<K, Write<V>>, Exception> failedAlone) {
    long backoff = backoffNanos;
    Exception last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      last = tryOnce(batch);
      if (last == null) {
        return true;
      }
      if (attempt < attempts) {
        try {
          sleeper.sleep(backoff);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return false;
        }
        backoff = Math.min(backoff * 2, TimeUnit.SECONDS.toNanos(30));
      }
    }
    if (batch.size() == 1) {
      failedAlone.put(batch.get(0), last);
      return false;
    }
    Bisection bisection = new Bisection(batch.size());
    bisection.split(batch);
    failedAlone.putAll(bisection.refused);
    return false;
  }

  /**
   * Halves a failed batch until its parts are stored or are single refused rows. Gives up (the
   * rest stays pending) after as many failed calls as a path to one row takes, with no success.
   */
  private final class Bisection {
    final int budget;
    final Map<Map.Entry<K, Write<V>>, Exception> refused = new LinkedHashMap<>();
    int failures;
    int succeeded;

    Bisection(int size) {
      this.budget = 2 * (Integer.SIZE - Integer.numberOfLeadingZeros(size)) + 2;
    }

    void split(List<Map.Entry<K, Write<V>>> batch) {
      int half = batch.size() / 2;
      for (List<Map.Entry<K, Write<V>>> part : List.of(batch.subList(0, half), batch.subList(half, batch.size()))) {
        if (succeeded == 0 && failures >= budget) {
          return;
        }
        Exception failure = tryOnce(part);
        if (failure == null) {
          succeeded++;
          continue;
        }
        failures++;
        if (part.size() == 1) {
          refused.put(part.get(0), failure);
        } else {
          split(part);
        }
      }
    }
  }

  /**
   * One store call for {@code batch}; settles it and returns null, or returns the failure: an
   * exception, or an {@code Error} other than a {@link VirtualMachineError} (a stack overflow
   * excepted, which has unwound by the time it is caught) wrapped in a {@link CacheWriteException}.
   */
  private Exception tryOnce(List<Map.Entry<K, Write<V>>> batch) {
    Map<K, V> writes = new LinkedHashMap<>();
    Set<K> deletes = new HashSet<>();
    for (Map.Entry<K, Write<V>> entry : batch) {
      Optional<V> value = entry.getValue().value();
      if (value.isPresent()) {
        writes.put(entry.getKey(), value.get());
      } else {
        deletes.add(entry.getKey());
      }
    }
    try {
      if (!writes.isEmpty()) {
        store.writeAll(writes);
      }
      if (!deletes.isEmpty()) {
        store.deleteAll(deletes);
      }
    } catch (Exception e) {
      return e;
    } catch (Throwable t) {
      // A driver's Error for some rows is that call's failure: retried, bisected and quarantined
      // like an exception, so it cannot keep every other batch from the store. Errors that mean
      // the JVM itself is in trouble (out of memory, internal) propagate.
      if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
        throw t;
      }
      return new CacheWriteException(name + " - the store threw " + t, t);
    }
    storeWrites.addAndGet(batch.size());
    settle(batch);
    return null;
  }

  private void quarantine(Map.Entry<K, Write<V>> entry, Exception cause) {
    boolean first;
    lock.lock();
    try {
      Write<V> current = pending.get(entry.getKey());
      if (current == null || current.sequence() != entry.getValue().sequence()) {
        return;
      }
      first = quarantined.put(entry.getKey(), current.sequence()) == null;
    } finally {
      lock.unlock();
    }
    if (first) {
      quarantines.incrementAndGet();
      LOG.warn("{} - the store refuses the write of {} on its own; it is quarantined (kept pending, tried alone"
          + " at each flush) while other writes are stored", name, entry.getKey(), cause);
      try {
        onQuarantine.accept(entry.getKey(), cause);
      } catch (RuntimeException e) {
        LOG.warn("{} - the quarantine listener failed for {}", name, entry.getKey(), e);
      }
    }
  }

  /**
   * Drops what was stored, unless the key was written again meanwhile (by sequence, not value),
   * and announces only the dropped keys: a key rewritten during the flush holds its newer value in
   * the shared tier, which the store's older row must not replace.
   */
  private void settle(List<Map.Entry<K, Write<V>>> batch) {
    Set<K> stored = new HashSet<>();
    lock.lock();
    try {
      for (Map.Entry<K, Write<V>> entry : batch) {
        Write<V> current = pending.get(entry.getKey());
        if (current != null && current.sequence() == entry.getValue().sequence()) {
          pending.remove(entry.getKey());
          quarantined.remove(entry.getKey());
          stored.add(entry.getKey());
        }
      }
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      onStored.accept(stored);
    } catch (RuntimeException e) {
      LOG.warn("{} - announcing {} stored write-back entries failed", name, stored.size(), e);
    }
  }

  /** Refuses every later {@link #enqueue}, and wakes writers waiting for room, which are refused too. */
  void close() {
    lock.lock();
    try {
      closed = true;
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** After a last flush: a description of what is still pending and so lost, or null. */
  String lost() {
    lock.lock();
    try {
      if (pending.isEmpty()) {
        return null;
      }
      List<K> named = new ArrayList<>();
      for (K key : pending.keySet()) {
        if (named.size() == NAMED_LOST_KEYS) {
          break;
        }
        named.add(key);
      }
      int more = pending.size() - named.size();
      return pending.size() + " write-back entries could not be stored at close and are lost: "
          + named + (more > 0 ? " and " + more + " more" : "");
    } finally {
      lock.unlock();
    }
  }
}
