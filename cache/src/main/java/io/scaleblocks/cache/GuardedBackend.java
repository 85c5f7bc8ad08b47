package io.scaleblocks.cache;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CacheBackend} as a {@link TieredCacheAside} uses it: every failure becomes a miss (or
 * a skipped write), is counted, and is logged at most once per ten seconds; remote entries are
 * turned into local ones on the cache's ticker. Thread-safe.
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
  private final LongSupplier ticker;
  private final Clock clock;
  private final double beta;
  private final Duration leaseTtl;
  private final long ttlNanos;
  private final long negativeTtlNanos;
  /** The id of the cache this guards the backend for, carried in its invalidations. */
  private final long origin;
  private final LongAdder errors = new LongAdder();
  private volatile long lastLog = Long.MIN_VALUE;

  GuardedBackend(String name, CacheBackend<K, V> backend, LongSupplier ticker, Clock clock, double beta,
      Duration leaseTtl, long ttlNanos, long negativeTtlNanos, long origin) {
    this.origin = origin;
    this.ttlNanos = ttlNanos;
    this.negativeTtlNanos = negativeTtlNanos;
    this.name = name;
    this.backend = backend;
    this.ticker = ticker;
    this.clock = clock;
    this.beta = beta;
    this.leaseTtl = leaseTtl;
  }

  long errors() {
    return errors.sum();
  }

  /**
   * A local entry for a shared one, expiring when the shared one does by this instance's clock,
   * but never later than a TTL from now: a writer whose clock runs ahead (or a corrupt expiry)
   * does not keep the entry here longer than this cache's own TTL.
   */
  LocalEntry<V> fromRemote(CacheEntry<V> remote) {
    long longest = remote.value().isPresent() ? ttlNanos : negativeTtlNanos;
    long remaining = Math.min(longest,
        TimeUnit.MILLISECONDS.toNanos(Math.max(0, remote.expiresAtMillis() - clock.millis())));
    if (remaining <= 0) {
      return null;
    }
    long now = ticker.getAsLong();
    long horizon = (long) Math.min(remaining, remote.loadNanos() * beta * TieredCacheAside.REFRESH_HORIZON);
    return LocalEntry.of(remote.value(), remote.loadNanos(), now + remaining,
        now + remaining - horizon, remote.expiresAtMillis(), now);
  }

  LocalEntry<V> get(K key) {
    try {
      Optional<CacheEntry<V>> entry = backend.get(key);
      return entry.isPresent() ? fromRemote(entry.get()) : null;
    } catch (RuntimeException e) {
      failed(e);
      return null;
    }
  }

  Map<K, LocalEntry<V>> getAll(Collection<K> keys) {
    try {
      Map<K, LocalEntry<V>> found = new HashMap<>();
      backend.getAll(keys).forEach((key, entry) -> {
        LocalEntry<V> local = fromRemote(entry);
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

  Map<K, Lease> tryLeaseAll(Collection<K> keys) {
    try {
      return backend.tryLeaseAll(keys, leaseTtl);
    } catch (RuntimeException e) {
      failed(e);
      return Map.of();
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
