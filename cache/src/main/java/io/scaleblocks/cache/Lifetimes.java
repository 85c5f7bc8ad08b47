package io.scaleblocks.cache;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How long entries live and when XFetch may refresh them: the TTL, the negative TTL, the jitter,
 * and the one refresh-horizon formula for entries made here ({@link #newEntry}) and entries read
 * from the shared tier ({@link #fromRemote}).
 *
 * <p>XFetch (Vattani, Chierichetti, Lowenstein, "Optimal Probabilistic Cache Stampede
 * Prevention", VLDB 2015) refreshes when {@code now - loadTime * beta * ln(rand) >= expiry}: the
 * chance grows as expiry nears and with the cost of a load, so concurrent readers rarely agree.
 * The distribution is cut at {@link #REFRESH_HORIZON} load times before expiry, so an entry's
 * hit path can skip the draw until then with one comparison ({@link LocalEntry#refreshFrom}).
 *
 * <p>Immutable and thread-safe.
 */
final class Lifetimes {

  /** XFetch never refreshes more than this many load times (times beta) before expiry: e^-12. */
  static final double REFRESH_HORIZON = 12;

  private final long ttlNanos;
  private final long negativeTtlNanos;
  private final double jitter;
  private final double beta;
  private final LongSupplier ticker;
  private final Clock clock;
  /** Entries carry a wall-clock expiry for the shared tier. */
  private final boolean shared;

  Lifetimes(CacheAsideBuilder<?, ?> b) {
    this.ttlNanos = b.ttlNanos;
    this.negativeTtlNanos = b.negativeTtlNanos;
    this.jitter = b.ttlJitter;
    this.beta = b.earlyRefreshBeta;
    this.ticker = b.ticker;
    this.clock = b.clock;
    this.shared = b.backend != null;
  }

  /** The longest an entry lives, of either kind: how long an undelivered invalidation matters. */
  long longestTtlNanos() {
    return Math.max(ttlNanos, negativeTtlNanos);
  }

  /** The TTL, or the negative TTL for "not found", less a random share of up to {@code jitter}. */
  long lifetime(Optional<?> value) {
    long ttl = value.isPresent() ? ttlNanos : negativeTtlNanos;
    if (jitter > 0 && ttl > 0) {
      ttl -= (long) (ttl * jitter * ThreadLocalRandom.current().nextDouble());
    }
    return ttl;
  }

  /** An entry for a value that took {@code took} nanoseconds to load (0 for a put), made now. */
  <V> LocalEntry<V> newEntry(Optional<V> value, long took) {
    return newEntry(value, took, ticker.getAsLong());
  }

  <V> LocalEntry<V> newEntry(Optional<V> value, long took, long now) {
    long ttl = lifetime(value);
    long expiresAtMillis = shared ? clock.millis() + TimeUnit.NANOSECONDS.toMillis(ttl) : 0;
    return LocalEntry.of(value, took, now + ttl, now + ttl - horizon(ttl, took), expiresAtMillis, now);
  }

  /**
   * A local entry for a shared one, expiring when the shared one does by this instance's clock,
   * but never later than a TTL from now: a writer whose clock runs ahead (or a corrupt expiry)
   * does not keep the entry here longer than this cache's own TTL. Null if it has expired.
   */
  <V> LocalEntry<V> fromRemote(CacheEntry<V> remote) {
    long longest = remote.value().isPresent() ? ttlNanos : negativeTtlNanos;
    long remaining = Math.min(longest,
        TimeUnit.MILLISECONDS.toNanos(Math.max(0, remote.expiresAtMillis() - clock.millis())));
    if (remaining <= 0) {
      return null;
    }
    long now = ticker.getAsLong();
    return LocalEntry.of(remote.value(), remote.loadNanos(), now + remaining,
        now + remaining - horizon(remaining, remote.loadNanos()), remote.expiresAtMillis(), now);
  }

  /** How long before expiry XFetch may start refreshing an entry with {@code remaining} left. */
  private long horizon(long remaining, long loadNanos) {
    return (long) Math.min(remaining, loadNanos * beta * REFRESH_HORIZON);
  }

  /** XFetch's draw for a hit at {@code now}: whether this read should refresh {@code entry}. */
  boolean refreshDue(LocalEntry<?> entry, long now) {
    if (beta == 0 || now - entry.refreshFrom < 0) {
      return false;
    }
    double gap = entry.loadNanos() * beta * -Math.log(ThreadLocalRandom.current().nextDouble());
    return entry.deadline() - now <= gap;
  }
}
