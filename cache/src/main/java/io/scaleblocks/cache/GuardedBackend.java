package io.scaleblocks.cache;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CacheBackend} as a {@link TieredCacheAside} uses it: every failure becomes a miss (or
 * a skipped write), is counted, and is logged at most once per ten seconds; remote entries are
 * turned into local ones by {@link Lifetimes#fromRemote}. Thread-safe.
 */
final class GuardedBackend<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(GuardedBackend.class);
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** What asking for a fill lease gave: the lease, another holder's, or no answer. */
  sealed interface LeaseResult permits Granted, HeldElsewhere, Unavailable {}

  /** Ours: load, and share the value under this lease. */
  record Granted(Lease lease) implements LeaseResult {}

  /** Another caller holds the key's lease: wait for its value, or load without sharing. */
  record HeldElsewhere() implements LeaseResult {}

  /** The backend did not answer (down, slow, circuit open): load, and share nothing. */
  record Unavailable() implements LeaseResult {}

  private static final HeldElsewhere HELD_ELSEWHERE = new HeldElsewhere();
  private static final Unavailable UNAVAILABLE = new Unavailable();

  private final String name;
  private final CacheBackend<K, V> backend;
  private final Lifetimes lifetimes;
  private final Duration leaseTtl;
  /** The id of the cache this guards the backend for, carried in its invalidations. */
  private final long origin;
  private final LongAdder errors = new LongAdder();
  private volatile long lastLog = Long.MIN_VALUE;

  GuardedBackend(String name, CacheBackend<K, V> backend, Lifetimes lifetimes, Duration leaseTtl, long origin) {
    this.name = name;
    this.backend = backend;
    this.lifetimes = lifetimes;
    this.leaseTtl = leaseTtl;
    this.origin = origin;
  }

  long errors() {
    return errors.sum();
  }

  /**
   * What a batch lease request gave: {@code granted} holds the keys now ours; when
   * {@code answered}, every other key's lease is held elsewhere, otherwise the backend did not
   * answer and no key's is known.
   */
  record LeaseBatch<K>(Map<K, Lease> granted, boolean answered) {}

  LocalEntry<V> get(K key) {
    try {
      Optional<CacheEntry<V>> entry = backend.get(key);
      return entry.isPresent() ? lifetimes.fromRemote(entry.get()) : null;
    } catch (RuntimeException e) {
      failed(e);
      return null;
    }
  }

  Map<K, LocalEntry<V>> getAll(Collection<K> keys) {
    try {
      Map<K, LocalEntry<V>> found = new HashMap<>();
      backend.getAll(keys).forEach((key, entry) -> {
        LocalEntry<V> local = lifetimes.fromRemote(entry);
        if (local != null) {
          found.put(key, local);
        }
      });
      return found;
    } catch (RuntimeException e) {
      failed(e);
      return Map.of();
    }
  }

  LeaseResult tryLease(K key) {
    try {
      Optional<Lease> lease = backend.tryLease(key, leaseTtl);
      return lease.isPresent() ? new Granted(lease.get()) : HELD_ELSEWHERE;
    } catch (RuntimeException e) {
      failed(e);
      return UNAVAILABLE;
    }
  }

  LeaseBatch<K> tryLeaseAll(Collection<K> keys) {
    try {
      return new LeaseBatch<>(backend.tryLeaseAll(keys, leaseTtl), true);
    } catch (RuntimeException e) {
      failed(e);
      return new LeaseBatch<>(Map.of(), false);
    }
  }

  void set(K key, LocalEntry<V> entry) {
    guarded(() -> backend.set(key, entry.toRemote()));
  }

  void setIfLeased(K key, Lease lease, LocalEntry<V> entry) {
    guarded(() -> backend.setIfLeased(key, lease, entry.toRemote()));
  }

  void guarded(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  void failed(RuntimeException e) {
    errors.increment();
    long now = System.nanoTime();
    long last = lastLog;
    if (last == Long.MIN_VALUE || now - last > LOG_INTERVAL_NANOS) {
      lastLog = now;
      LOG.warn("{} - the cache backend failed ({}); reading through to the loader", name, e.toString());
    }
  }

  void setAll(Map<? extends K, CacheEntry<V>> entries) {
    guarded(() -> backend.setAll(entries));
  }

  /** Whether the invalidation was delivered; a failure is counted and logged like any other. */
  boolean invalidate(K key) {
    try {
      backend.invalidate(key, origin);
      return true;
    } catch (RuntimeException e) {
      failed(e);
      return false;
    }
  }

  void releaseLease(K key, Lease lease) {
    guarded(() -> backend.releaseLease(key, lease));
  }
}
