package io.scaleblocks.cache;

import static io.scaleblocks.config.Checks.nonNegative;
import static io.scaleblocks.config.Checks.positive;

import io.scaleblocks.config.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * Configures a {@link CacheAside}. Setters validate and name a bad value; defaults are the
 * {@code DEFAULT_*} constants. Not thread-safe.
 */
public final class CacheAsideBuilder<K, V> {

  public static final String DEFAULT_NAME = "cache";
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(10);
  public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(30);
  /** Each TTL is shortened by a random fraction up to this, so keys loaded together spread out. */
  public static final double DEFAULT_TTL_JITTER = 0.1;
  /** XFetch's beta: 1 is the paper's optimum; larger refreshes earlier; 0 turns it off. */
  public static final double DEFAULT_EARLY_REFRESH_BETA = 1.0;
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_LEASE_WAIT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_NEAR_CACHE_STALENESS = Duration.ofSeconds(1);
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
  public static final int DEFAULT_MAX_PENDING_WRITES = 10_000;
  public static final int DEFAULT_WRITE_BATCH_SIZE = 500;
  public static final int DEFAULT_WRITE_ATTEMPTS = 5;
  public static final Duration DEFAULT_WRITE_BACKOFF = Duration.ofMillis(50);

  /** The keys {@link #from(Map)} accepts. */
  public static final Set<String> SETTINGS = Set.of("name", "policy", "maximum-size", "ttl",
      "negative-ttl", "ttl-jitter", "early-refresh-beta", "write-strategy", "flush-interval",
      "max-pending-writes", "write-batch-size", "write-attempts", "write-backoff", "max-write-wait",
      "lease-ttl", "lease-wait", "near-cache-staleness");
  /** How long a write-back writer waits for room in a full queue before it is refused. */
  public static final Duration DEFAULT_MAX_WRITE_WAIT = Duration.ofSeconds(5);

  private static final Duration ONE_NANO = Duration.ofNanos(1);
  /** The longest duration the builder holds, as nanoseconds. */
  private static final Duration MAX_DURATION = Duration.ofNanos(Long.MAX_VALUE);

  final Loader<K, V> loader;
  String name = DEFAULT_NAME;
  EvictionPolicy policy = EvictionPolicy.DEFAULT;
  long maximum = LocalCacheBuilder.DEFAULT_MAXIMUM_SIZE;
  Weigher<? super K, ? super V> weigher;
  long negativeEntryWeight = 1;
  long ttlNanos = DEFAULT_TTL.toNanos();
  long negativeTtlNanos = DEFAULT_NEGATIVE_TTL.toNanos();
  double ttlJitter = DEFAULT_TTL_JITTER;
  double earlyRefreshBeta = DEFAULT_EARLY_REFRESH_BETA;
  Executor refreshExecutor;
  CacheBackend<K, V> backend;
  boolean staleSetProtection = true;
  Duration leaseTtl = DEFAULT_LEASE_TTL;
  long leaseWaitNanos = DEFAULT_LEASE_WAIT.toNanos();
  long nearCacheStalenessNanos = DEFAULT_NEAR_CACHE_STALENESS.toNanos();
  Store<K, V> store;
  WriteStrategy writeStrategy = WriteStrategy.WRITE_AROUND;
  Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
  int maxPendingWrites = DEFAULT_MAX_PENDING_WRITES;
  int writeBatchSize = DEFAULT_WRITE_BATCH_SIZE;
  int writeAttempts = DEFAULT_WRITE_ATTEMPTS;
  long writeBackoffNanos = DEFAULT_WRITE_BACKOFF.toNanos();
  long maxWriteWaitNanos = DEFAULT_MAX_WRITE_WAIT.toNanos();
  BiConsumer<? super K, ? super Exception> onQuarantine = (key, cause) -> { };
  WriteBehindQueue.Sleeper sleeper = nanos -> TimeUnit.NANOSECONDS.sleep(nanos);
  LongSupplier ticker = CoarseTicker::read;
  /** Times loads, for XFetch: the precise clock by default, the injected ticker when there is one. */
  LongSupplier stopwatch = System::nanoTime;
  Clock clock = Clock.systemUTC();
  boolean recordStats;

  CacheAsideBuilder(Loader<K, V> loader) {
    this.loader = Objects.requireNonNull(loader, "loader");
  }

  /**
   * Applies settings by the project's convention ({@link Settings}): kebab-case keys (relaxed:
   * {@code maxPendingWrites} and {@code MAX_PENDING_WRITES} work too), durations like
   * {@code 250ms}, {@code 10s} or {@code PT10S}, numbers range-checked before they are narrowed.
   * The keys are {@link #SETTINGS}; the module README lists each with its range and default.
   *
   * @throws IllegalArgumentException on an unknown key or a value out of its range, naming both
   */
  public CacheAsideBuilder<K, V> from(Map<String, ?> settings) {
    Settings s = Settings.of("cache", settings);
    s.optionalString("name").ifPresent(this::name);
    if (s.has("policy")) {
      policy(EvictionPolicy.byName(s.string("policy", "")));
    }
    if (s.has("maximum-size")) {
      maximumSize(s.longValue("maximum-size", 1, Long.MAX_VALUE, maximum));
    }
    ttl(s.duration("ttl", ONE_NANO, MAX_DURATION, Duration.ofNanos(ttlNanos)));
    negativeTtl(s.duration("negative-ttl", Duration.ZERO, MAX_DURATION, Duration.ofNanos(negativeTtlNanos)));
    ttlJitter(s.doubleValue("ttl-jitter", 0, 0.999, ttlJitter));
    earlyRefresh(s.doubleValue("early-refresh-beta", 0, 100, earlyRefreshBeta));
    if (s.has("write-strategy")) {
      writeStrategy(WriteStrategy.byName(s.string("write-strategy", "")));
    }
    flushInterval = s.duration("flush-interval", ONE_NANO, MAX_DURATION, flushInterval);
    maxPendingWrites = s.intValue("max-pending-writes", 1, Integer.MAX_VALUE, maxPendingWrites);
    writeBatchSize = s.intValue("write-batch-size", 1, Integer.MAX_VALUE, writeBatchSize);
    writeAttempts = s.intValue("write-attempts", 1, 1000, writeAttempts);
    writeBackoffNanos = s.duration("write-backoff", Duration.ZERO, MAX_DURATION, Duration.ofNanos(writeBackoffNanos)).toNanos();
    maxWriteWaitNanos = s.duration("max-write-wait", Duration.ZERO, MAX_DURATION, Duration.ofNanos(maxWriteWaitNanos)).toNanos();
    leaseTtl = s.duration("lease-ttl", ONE_NANO, MAX_DURATION, leaseTtl);
    leaseWaitNanos = s.duration("lease-wait", Duration.ZERO, MAX_DURATION, Duration.ofNanos(leaseWaitNanos)).toNanos();
    nearCacheStaleness(s.duration("near-cache-staleness", Duration.ZERO, MAX_DURATION, Duration.ofNanos(nearCacheStalenessNanos)));
    s.done();
    return this;
  }

  /** Names the cache in logs and metrics. */
  public CacheAsideBuilder<K, V> name(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
    }
    this.name = name;
    return this;
  }

  public CacheAsideBuilder<K, V> policy(EvictionPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    return this;
  }

  public CacheAsideBuilder<K, V> maximumSize(long maximumSize) {
    this.maximum = atLeastOne("maximumSize", maximumSize);
    this.weigher = null;
    return this;
  }

  /**
   * Bounds the local tier by total weight. A cached "not found" has no value to weigh and counts
   * {@code negativeEntryWeight} (default 1): set it to what an absent entry costs in the
   * weigher's unit, or a scan of missing ids can fill the bound with negative entries.
   */
  public CacheAsideBuilder<K, V> maximumWeight(long maximumWeight, Weigher<? super K, ? super V> weigher) {
    this.maximum = atLeastOne("maximumWeight", maximumWeight);
    this.weigher = Objects.requireNonNull(weigher, "weigher");
    return this;
  }

  /** The weight of a cached "not found" in a weight-bounded cache (default 1). */
  public CacheAsideBuilder<K, V> negativeEntryWeight(long weight) {
    if (weight < 0) {
      throw new IllegalArgumentException("negativeEntryWeight must be >= 0 but was " + weight);
    }
    this.negativeEntryWeight = weight;
    return this;
  }

  /** How long a loaded value is cached, before jitter. */
  public CacheAsideBuilder<K, V> ttl(Duration ttl) {
    this.ttlNanos = positive("ttl", ttl).toNanos();
    return this;
  }

  /** How long a "not found" is cached; zero does not cache it. */
  public CacheAsideBuilder<K, V> negativeTtl(Duration negativeTtl) {
    this.negativeTtlNanos = nonNegative("negativeTtl", negativeTtl).toNanos();
    return this;
  }

  /** Shortens each TTL by a random fraction in {@code [0, jitter)}; 0 turns it off. */
  public CacheAsideBuilder<K, V> ttlJitter(double jitter) {
    if (!(jitter >= 0 && jitter < 1)) {
      throw new IllegalArgumentException("ttlJitter must be in [0, 1) but was " + jitter);
    }
    this.ttlJitter = jitter;
    return this;
  }

  /**
   * XFetch probabilistic early refresh (Vattani, Chierichetti and Lowenstein, "Optimal
   * Probabilistic Cache Stampede Prevention", VLDB 2015) with this beta; 0 turns it off.
   */
  public CacheAsideBuilder<K, V> earlyRefresh(double beta) {
    if (!(beta >= 0 && beta <= 100)) {
      throw new IllegalArgumentException("earlyRefreshBeta must be in [0, 100] but was " + beta);
    }
    this.earlyRefreshBeta = beta;
    return this;
  }

  /**
   * Where early refreshes run (default: up to four daemon threads owned by the cache; a refresh
   * that finds them all busy is skipped). A refresh the executor rejects, drops or never runs
   * is skipped too: misses never wait for a refresh, they load the key themselves.
   */
  public CacheAsideBuilder<K, V> refreshExecutor(Executor executor) {
    this.refreshExecutor = Objects.requireNonNull(executor, "refreshExecutor");
    return this;
  }

  /** The shared remote tier; the cache does not close it. */
  public CacheAsideBuilder<K, V> backend(CacheBackend<K, V> backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
    return this;
  }

  /**
   * Whether fills are guarded against stale sets (default true): invalidation epochs locally,
   * leases on the backend, which also give one loader per key across processes. False is plain
   * cache-aside, where a slow reader can put an old value back after a write.
   */
  public CacheAsideBuilder<K, V> staleSetProtection(boolean enabled) {
    this.staleSetProtection = enabled;
    return this;
  }

  /** How long a fill lease lives on the backend; should exceed the slowest load. */
  public CacheAsideBuilder<K, V> leaseTtl(Duration leaseTtl) {
    this.leaseTtl = positive("leaseTtl", leaseTtl);
    return this;
  }

  /**
   * How long a reader that lost the lease waits for the holder's value before loading itself. A
   * reader whose thread is interrupted stops waiting at once and loads without sharing the
   * value; its interrupt status is kept.
   */
  public CacheAsideBuilder<K, V> leaseWait(Duration leaseWait) {
    this.leaseWaitNanos = nonNegative("leaseWait", leaseWait).toNanos();
    return this;
  }

  /**
   * The near cache's staleness bound: how long it keeps serving the local entries it had when
   * it lost the invalidation channel, and how long it serves an entry loaded while the channel
   * is down, from that entry's load. After that such reads go to the backend or the loader; on
   * reconnect the local tier is cleared.
   */
  public CacheAsideBuilder<K, V> nearCacheStaleness(Duration staleness) {
    this.nearCacheStalenessNanos = nonNegative("nearCacheStaleness", staleness).toNanos();
    return this;
  }

  /** The store that {@link CacheAside#write} and {@link CacheAside#delete} reach, and how. */
  public CacheAsideBuilder<K, V> store(Store<K, V> store, WriteStrategy strategy) {
    this.store = Objects.requireNonNull(store, "store");
    return writeStrategy(strategy);
  }

  public CacheAsideBuilder<K, V> writeStrategy(WriteStrategy strategy) {
    this.writeStrategy = Objects.requireNonNull(strategy, "writeStrategy");
    return this;
  }

  /**
   * Write-back tuning: pending writes are stored every {@code flushInterval} (and on
   * {@link CacheAside#flush()} and {@link CacheAside#close()}); at most {@code maxPending} keys
   * wait, and a writer of a new key waits for room at most {@link #maxWriteWait}, then is refused.
   *
   * <p><b>What a crash loses:</b> every write acknowledged since the last successful flush that
   * covered its key, at most {@code maxPending} keys; nothing else.
   */
  public CacheAsideBuilder<K, V> writeBack(Duration flushInterval, int maxPending) {
    this.flushInterval = positive("flushInterval", flushInterval);
    this.maxPendingWrites = (int) atLeastOne("maxPending", maxPending);
    return this;
  }

  /** Write-back batches hold at most this many keys. */
  public CacheAsideBuilder<K, V> writeBatchSize(int batchSize) {
    this.writeBatchSize = (int) atLeastOne("writeBatchSize", batchSize);
    return this;
  }

  /** A failed write-back batch is tried this many times, sleeping {@code backoff}, doubling. */
  public CacheAsideBuilder<K, V> writeRetries(int attempts, Duration backoff) {
    this.writeAttempts = (int) atLeastOne("writeAttempts", attempts);
    this.writeBackoffNanos = nonNegative("writeBackoff", backoff).toNanos();
    return this;
  }

  /**
   * Write-back: how long a writer waits for room in a full queue (default
   * {@link #DEFAULT_MAX_WRITE_WAIT}) before its write is refused with {@link CacheWriteException};
   * zero refuses at once. An interrupted writer is refused too, with its interrupt status kept.
   */
  public CacheAsideBuilder<K, V> maxWriteWait(Duration maxWait) {
    this.maxWriteWaitNanos = nonNegative("maxWriteWait", maxWait).toNanos();
    return this;
  }

  /**
   * Write-back: called once when the store refuses one key's write while the rest of its batch
   * is stored (a constraint violation, a value too long for its column). The write is
   * quarantined, not dropped: it stays pending and visible to reads, is tried alone at every
   * flush, and is named as lost by {@link CacheAside#close()} if it is never stored. Called on the
   * flusher's thread, outside the cache's locks; what it throws is logged.
   */
  public CacheAsideBuilder<K, V> onQuarantine(BiConsumer<? super K, ? super Exception> listener) {
    this.onQuarantine = Objects.requireNonNull(listener, "onQuarantine");
    return this;
  }

  CacheAsideBuilder<K, V> sleeper(WriteBehindQueue.Sleeper sleeper) {
    this.sleeper = sleeper;
    return this;
  }

  /**
   * The monotonic time source for TTLs, refresh and load timing, in nanoseconds. The default is
   * {@link System#nanoTime()} sampled every 10 ms by a shared daemon thread, so a hit reads a
   * field instead of the clock (entries live up to 10 ms past their TTL), while loads are timed
   * with {@link System#nanoTime()} itself, so that XFetch knows how long even a fast load took.
   */
  public CacheAsideBuilder<K, V> ticker(LongSupplier ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.stopwatch = ticker;
    return this;
  }

  /** The wall clock for expiry times shared with the backend. */
  public CacheAsideBuilder<K, V> clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** Counts hits and misses (a striped counter increment per read). */
  public CacheAsideBuilder<K, V> recordStats() {
    this.recordStats = true;
    return this;
  }

  /**
   * Builds the cache.
   *
   * @throws IllegalStateException if a write strategy needs a store that was not given
   */
  public CacheAside<K, V> build() {
    if (writeStrategy == WriteStrategy.WRITE_BACK && store == null) {
      throw new IllegalStateException("write-back needs a store");
    }
    return new TieredCacheAside<>(this);
  }

  private static long atLeastOne(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0 but was " + value);
    }
    return value;
  }
}
