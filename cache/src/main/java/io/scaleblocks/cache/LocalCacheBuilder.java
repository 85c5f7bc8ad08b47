package io.scaleblocks.cache;

import io.scaleblocks.config.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.ToLongBiFunction;

/**
 * Configures a {@link LocalCache}. Each setter validates its argument and names a bad value; a
 * bound and an expiration mode may each be set once. Not thread-safe; the caches it builds are
 * independent of it. Public because {@link LocalCache#builder()}, the way to a bounded local
 * cache without a loader, returns it.
 *
 * <pre>{@code
 * LocalCache<String, User> users = LocalCache.<String, User>builder()
 *     .policy(EvictionPolicy.LRU).maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(5))
 *     .build();
 * }</pre>
 */
public final class LocalCacheBuilder<K, V> {

  /** The bound when none is set. */
  public static final long DEFAULT_MAXIMUM_SIZE = 10_000;

  /** The keys {@link #from(Map)} accepts. */
  public static final Set<String> SETTINGS =
      Set.of("policy", "maximum-size", "maximum-weight", "expire-after-write", "expire-after-access");

  EvictionPolicy policy = EvictionPolicy.DEFAULT;
  long maximum = DEFAULT_MAXIMUM_SIZE;
  private boolean boundSet;
  Weigher<? super K, ? super V> weigher;
  Expiration<K, V> expiration;
  LongSupplier ticker = System::nanoTime;
  boolean recordStats;
  boolean sameThreadMaintenance;

  LocalCacheBuilder() {}

  /**
   * W-TinyLFU only: run Caffeine's maintenance on the calling thread instead of the common
   * pool, so a single-threaded replay is reproducible (the hit-ratio harness). Slower under
   * concurrency.
   */
  LocalCacheBuilder<K, V> sameThreadMaintenance() {
    this.sameThreadMaintenance = true;
    return this;
  }

  /**
   * Applies string settings, as a properties file or Spring binding would carry them:
   * {@code policy}, {@code maximum-size}, {@code maximum-weight}, {@code expire-after-write},
   * {@code expire-after-access} (durations like {@code 10s}, {@code 250ms} or {@code PT10S}).
   *
   * @throws IllegalArgumentException on an unknown key or a bad value, naming it
   */
  public LocalCacheBuilder<K, V> from(Map<String, ?> settings) {
    Settings s = Settings.of("local-cache", settings);
    if (s.has("policy")) {
      policy(EvictionPolicy.byName(s.string("policy", "")));
    }
    if (s.has("maximum-size")) {
      maximumSize(s.longValue("maximum-size", 1, Long.MAX_VALUE, 0));
    }
    if (s.has("maximum-weight")) {
      maximumWeight(s.longValue("maximum-weight", 1, Long.MAX_VALUE, 0));
    }
    Duration longest = Duration.ofNanos(Long.MAX_VALUE);
    if (s.has("expire-after-write")) {
      expireAfterWrite(s.duration("expire-after-write", Duration.ofNanos(1), longest, Duration.ZERO));
    }
    if (s.has("expire-after-access")) {
      expireAfterAccess(s.duration("expire-after-access", Duration.ofNanos(1), longest, Duration.ZERO));
    }
    s.done();
    return this;
  }

  public LocalCacheBuilder<K, V> policy(EvictionPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    return this;
  }

  /** Bounds the cache to {@code maximumSize} entries. */
  public LocalCacheBuilder<K, V> maximumSize(long maximumSize) {
    requireBoundUnset();
    if (maximumSize <= 0) {
      throw new IllegalArgumentException("maximumSize must be > 0 but was " + maximumSize);
    }
    this.maximum = maximumSize;
    return this;
  }

  /** Bounds the cache to a total weight; needs a {@link #weigher}. */
  public LocalCacheBuilder<K, V> maximumWeight(long maximumWeight) {
    requireBoundUnset();
    if (maximumWeight <= 0) {
      throw new IllegalArgumentException("maximumWeight must be > 0 but was " + maximumWeight);
    }
    this.maximum = maximumWeight;
    return this;
  }

  private void requireBoundUnset() {
    if (boundSet) {
      throw new IllegalStateException("the bound was already set to " + maximum);
    }
    boundSet = true;
  }

  public LocalCacheBuilder<K, V> weigher(Weigher<? super K, ? super V> weigher) {
    if (this.weigher != null) {
      throw new IllegalStateException("the weigher was already set");
    }
    this.weigher = Objects.requireNonNull(weigher, "weigher");
    return this;
  }

  /** Expires each entry {@code ttl} after it was last written. */
  public LocalCacheBuilder<K, V> expireAfterWrite(Duration ttl) {
    setExpiration(new Expiration<>(positive("expireAfterWrite", ttl), 0, null));
    return this;
  }

  /** Expires each entry {@code ttl} after it was last read or written. */
  public LocalCacheBuilder<K, V> expireAfterAccess(Duration ttl) {
    setExpiration(new Expiration<>(0, positive("expireAfterAccess", ttl), null));
    return this;
  }

  /**
   * Expires each entry after a time chosen when it is written: {@code ttl} gives, for a key and
   * its new value, the nanoseconds (of the cache's ticker) until it expires; zero or less expires
   * it at once. It is called on every write, from any writing thread at once, so it must be
   * thread-safe, and fast.
   */
  public LocalCacheBuilder<K, V> expireAfter(ToLongBiFunction<? super K, ? super V> ttl) {
    setExpiration(new Expiration<>(0, 0, Objects.requireNonNull(ttl, "ttl")));
    return this;
  }

  private void setExpiration(Expiration<K, V> mode) {
    if (expiration != null) {
      throw new IllegalStateException("an expiration mode was already set: " + expiration);
    }
    expiration = mode;
  }

  private static long positive(String name, Duration ttl) {
    Objects.requireNonNull(ttl, name);
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0 but was " + ttl);
    }
    return ttl.toNanos();
  }

  /** The time source for expiry, in nanoseconds (default {@link System#nanoTime()}). */
  public LocalCacheBuilder<K, V> ticker(LongSupplier ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    return this;
  }

  /** Counts hits and misses (a small cost on every read). */
  public LocalCacheBuilder<K, V> recordStats() {
    this.recordStats = true;
    return this;
  }

  /**
   * Builds the cache.
   *
   * @throws IllegalStateException if a weight bound has no weigher or a weigher has no weight bound
   */
  public LocalCache<K, V> build() {
    if (weigher != null && !boundSet) {
      throw new IllegalStateException("a weigher needs maximumWeight");
    }
    if (policy == EvictionPolicy.W_TINY_LFU) {
      return new CaffeineLocalCache<>(this);
    }
    return new PolicyLocalCache<>(this);
  }
}
