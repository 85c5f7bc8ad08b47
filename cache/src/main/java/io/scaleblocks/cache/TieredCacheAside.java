package io.scaleblocks.cache;

import io.scaleblocks.cache.SingleFlight.Flight;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CacheAside}: a local tier, an optional backend, single-flight loads, invalidation
 * epochs and leases against stale sets, XFetch early refresh and the write strategies.
 *
 * <p>Stale-set protection in process is {@link WriteEpochs}; across processes, a lease in the
 * backend lets one loader fill a key while the others wait for it or serve stale.
 *
 * <p>Near-cache trust is per invalidation channel of the backend ({@link NearCacheTrust}): a local
 * entry is served unless its key is covered by a channel down for longer than the staleness
 * bound and the entry is older than the bound or predates the outage. With no channel down, hits
 * take the short path. Each instance has a random 64-bit id that its invalidations carry, so it
 * ignores their echo (a write-through keeps the value it just cached) while another instance,
 * on the same backend object or not, applies them.
 *
 * <p>Write order: the store first, then the shared tier, then this instance (see
 * {@link #invalidate}); a failure of the store leaves the cache as it was, a failure of the
 * shared tier is retried ({@link UndeliveredInvalidations}).
 */
final class TieredCacheAside<K, V> implements CacheAside<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(TieredCacheAside.class);
  /** XFetch never refreshes more than this many load times (times beta) before expiry: e^-12. */
  static final double REFRESH_HORIZON = 12;
  private static final long LEASE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  /** How often invalidations that the backend did not take are tried again. */
  static final long INVALIDATION_RETRY_MILLIS = 100;

  private final String name;
  private final Loader<K, V> loader;
  private final LocalCache<K, LocalEntry<V>> local;
  /**
   * The local tier's Caffeine cache as a map when the policy is W-TinyLFU: the hit path calls it
   * directly. Caffeine's map view is the cache itself, one call nearer than its {@code Cache}
   * facade, and its {@code get} records the read with the policy just as {@code getIfPresent}
   * does, so every hit makes one call less.
   */
  private final ConcurrentMap<K, LocalEntry<V>> caffeine;
  private final CacheBackend<K, V> backend;
  private final GuardedBackend<K, V> remote;
  private final Store<K, V> store;
  private final WriteStrategy writeStrategy;
  private final WriteBehindQueue<K, V> writeBehind;
  private final ScheduledExecutorService flusher;
  private final long ttlNanos;
  private final long negativeTtlNanos;
  private final double jitter;
  private final double beta;
  private final Executor refreshExecutor;
  private final ExecutorService ownedRefreshExecutor;
  private final boolean protect;
  private final long leaseWaitNanos;
  private final LongSupplier ticker;
  /** Times loads; finer than the default ticker, which a hit reads. */
  private final LongSupplier stopwatch;
  private final Clock clock;
  private final boolean recordStats;
  /**
   * A put of a resident key rewrites its entry rather than replacing it. Not with a backend,
   * whose entries carry a shared expiry, nor with a weigher, which must see every new value.
   */
  private final boolean rewriteInPlace;
  private final SingleFlight<K, LocalEntry<V>> flights;
  /** Keys with an early refresh queued or running; apart from {@link #flights}, which misses join. */
  private final Set<K> refreshing = ConcurrentHashMap.newKeySet();
  /** Backend invalidations that failed, retried until delivered; their keys bypass the backend. */
  private final UndeliveredInvalidations<K> undelivered;
  private final WriteEpochs epochs = new WriteEpochs();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder remoteHits = new LongAdder();
  private final LongAdder loadSuccesses = new LongAdder();
  private final LongAdder loadFailures = new LongAdder();
  private final LongAdder loadNanos = new LongAdder();
  private final LongAdder puts = new LongAdder();
  private final LongAdder directStoreWrites = new LongAdder();
  /** Which local entries the backend's invalidation channels still vouch for; null without a backend. */
  private final NearCacheTrust<K> near;
  /**
   * Neither counting hits nor distrusting the near cache: a fresh hit may take the short path.
   * One field, so that the short path reads one flag.
   */
  private volatile boolean quickHits;
  private final KeyLocks writeLocks = new KeyLocks();
  /** Retries undelivered invalidations; null without a backend. */
  private final ScheduledExecutorService invalidationRetrier;
  /** Set by {@link #close()}: later writes and deletes are refused. */
  private volatile boolean closed;

  TieredCacheAside(CacheAsideBuilder<K, V> b) {
    this.name = b.name;
    this.flights = new SingleFlight<>(name);
    this.loader = b.loader;
    this.ticker = b.ticker;
    this.stopwatch = b.stopwatch;
    this.clock = b.clock;
    // No expiry inside the local cache: a hit checks the entry's deadline itself, with one
    // clock read that also serves XFetch. Expired entries are replaced on the next miss or evicted.
    LocalCacheBuilder<K, LocalEntry<V>> localBuilder = LocalCache.<K, LocalEntry<V>>builder().policy(b.policy);
    if (b.weigher != null) {
      Weigher<? super K, ? super V> weigher = b.weigher;
      long negativeWeight = b.negativeEntryWeight;
      localBuilder.maximumWeight(b.maximum)
          .weigher((K key, LocalEntry<V> entry) -> entry.value.map(v -> weigher.weigh(key, v)).orElse(negativeWeight));
    } else {
      localBuilder.maximumSize(b.maximum);
    }
    this.local = localBuilder.build();
    this.caffeine = local instanceof CaffeineLocalCache<K, LocalEntry<V>> c ? c.caffeine().asMap() : null;
    this.backend = b.backend;
    long id = instanceId();
    this.remote = b.backend == null ? null : new GuardedBackend<>(name, b.backend, b.ticker, b.clock,
        b.earlyRefreshBeta, b.leaseTtl, b.ttlNanos, b.negativeTtlNanos, id);
    this.store = b.store;
    this.writeStrategy = b.writeStrategy;
    this.ttlNanos = b.ttlNanos;
    this.negativeTtlNanos = b.negativeTtlNanos;
    this.jitter = b.ttlJitter;
    this.beta = b.earlyRefreshBeta;
    if (b.refreshExecutor != null) {
      this.refreshExecutor = b.refreshExecutor;
      this.ownedRefreshExecutor = null;
    } else {
      // At most four refreshes at once; a refresh that finds them busy is skipped (the entry
      // is served until it expires, then loaded as a normal miss).
      this.ownedRefreshExecutor = new ThreadPoolExecutor(0, 4, 30, TimeUnit.SECONDS,
          new SynchronousQueue<>(), daemon(name + "-refresh"));
      this.refreshExecutor = ownedRefreshExecutor;
    }
    this.protect = b.staleSetProtection;
    this.leaseWaitNanos = b.leaseWaitNanos;
    this.recordStats = b.recordStats;
    this.rewriteInPlace = b.backend == null && b.weigher == null;
    this.quickHits = !recordStats;
    if (writeStrategy == WriteStrategy.WRITE_BACK) {
      this.writeBehind = new WriteBehindQueue<>(name, store, b.maxPendingWrites, b.writeBatchSize,
          b.writeAttempts, b.writeBackoffNanos, b.maxWriteWaitNanos, b.sleeper, b.onQuarantine,
          this::storedBehind);
      this.flusher = Executors.newSingleThreadScheduledExecutor(daemon(name + "-write-back"));
      long interval = b.flushInterval.toNanos();
      flusher.scheduleWithFixedDelay(this::scheduledFlush, interval, interval, TimeUnit.NANOSECONDS);
    } else {
      this.writeBehind = null;
      this.flusher = null;
    }
    this.undelivered = new UndeliveredInvalidations<>(UndeliveredInvalidations.DEFAULT_MAX_KEYS,
        Math.max(ttlNanos, negativeTtlNanos), ticker);
    if (backend != null) {
      near = new NearCacheTrust<>(name, id, ticker, b.nearCacheStalenessNanos, new NearTier());
      near.subscribe(backend);
      invalidationRetrier = Executors.newSingleThreadScheduledExecutor(daemon(name + "-invalidation-retry"));
      invalidationRetrier.scheduleWithFixedDelay(this::retryInvalidations, INVALIDATION_RETRY_MILLIS,
          INVALIDATION_RETRY_MILLIS, TimeUnit.MILLISECONDS);
    } else {
      near = null;
      invalidationRetrier = null;
    }
  }

  /**
   * A periodic flush. Catches everything: a scheduled task that throws is never run again, and
   * an {@code Error} from one flush must not stop the next.
   */
  private void scheduledFlush() {
    try {
      writeBehind.flush();
    } catch (Throwable t) {
      LOG.error("{} - a scheduled write-back flush failed; its writes stay pending for the next one", name, t);
    }
  }

  /**
   * Write-back entries just reached the store. Another instance may have loaded the old row
   * before the flush and filled the shared tier with it; dropping the keys from the shared tier
   * (and so every near cache) makes the next read load the stored row. A key rewritten during
   * the flush is not among them: the shared tier holds its newer value, the store its older row.
   */
  private void storedBehind(Set<K> keys) {
    keys.forEach(this::invalidateShared);
  }

  /** Unique per instance with overwhelming odds, and never {@link InvalidationListener#NO_ORIGIN}. */
  private static long instanceId() {
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong();
    } while (id == InvalidationListener.NO_ORIGIN);
    return id;
  }

  private static ThreadFactory daemon(String threadName) {
    return runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public Optional<V> get(K key) {
    Objects.requireNonNull(key, "key");
    LocalEntry<V> entry = resident(key);
    // The common hit, kept small enough to inline whole into the caller: fresh, not yet due for
    // early refresh, the near cache trusted, no counting.
    if (entry != null && quickHits && ticker.getAsLong() - entry.refreshFrom < 0) {
      return entry.value;
    }
    return getSlowly(key, entry);
  }

  @Override
  public Optional<V> getIfPresent(K key) {
    Objects.requireNonNull(key, "key");
    LocalEntry<V> entry = localEntry(key);
    if (recordStats) {
      (entry == null ? misses : hits).increment();
    }
    return entry == null ? Optional.empty() : entry.value;
  }

  @Override
  public void invalidateAll() {
    epochs.bumpAll();
    flights.detachAll();
    local.invalidateAll();
  }

  /** Every other read: a hit to count or maybe refresh early, an expired or untrusted entry, a miss. */
  private Optional<V> getSlowly(K key, LocalEntry<V> entry) {
    if (entry != null) {
      long now = ticker.getAsLong();
      if (usable(key, entry, now)) {
        if (recordStats) {
          hits.increment();
        }
        refreshEarlyIfDue(key, entry, now);
        return entry.value;
      }
    }
    if (recordStats) {
      misses.increment();
    }
    return load(key).value;
  }

  /** Not expired, and no channel covering {@code key} has been down for longer than the bound. */
  private boolean usable(K key, LocalEntry<V> entry, long now) {
    if (now - entry.deadline() >= 0) {
      return false;
    }
    return near == null || near.trusts(key, entry.filledAt(), now);
  }

  private LocalEntry<V> localEntry(K key) {
    LocalEntry<V> entry = resident(key);
    return entry != null && usable(key, entry, ticker.getAsLong()) ? entry : null;
  }

  /** Single-flight: the first caller loads, the others wait for its result. */
  private LocalEntry<V> load(K key) {
    return flights.run(key, () -> epochs.duringLoad(() -> fetch(key)));
  }

  private LocalEntry<V> fetch(K key) {
    long epoch = epochs.read(key);
    LocalEntry<V> cached = localEntry(key);
    if (cached != null) {
      return cached;
    }
    if (writeBehind != null) {
      Optional<V> pending = writeBehind.pending(key);
      if (pending != null) {
        return fill(key, newEntry(pending, 0), epoch);
      }
    }
    if (backend == null || undelivered.bypasses(key)) {
      return fill(key, callLoader(key), epoch);
    }
    LocalEntry<V> shared = remote.get(key);
    if (shared != null) {
      remoteHits.increment();
      return fill(key, shared, epoch);
    }
    if (!protect) {
      LocalEntry<V> loaded = callLoader(key);
      remote.set(key, loaded);
      return fill(key, loaded, epoch);
    }
    Claim<V> claim = claimFill(key);
    if (claim.theirs() != null) {
      remoteHits.increment();
      return fill(key, claim.theirs(), epoch);
    }
    LocalEntry<V> loaded = loadHoldingLease(key, claim.lease());
    if (claim.lease() != null) {
      remote.setIfLeased(key, claim.lease(), loaded);
    }
    return fill(key, loaded, epoch);
  }

  /**
   * What a miss does after asking for the lease: use {@code theirs} (another process's fill),
   * or load, sharing the value only if {@code lease} is not null.
   */
  private record Claim<V>(LocalEntry<V> theirs, Lease lease) {
    static <V> Claim<V> loadUnshared() {
      return new Claim<>(null, null);
    }
  }

  private Claim<V> claimFill(K key) {
    GuardedBackend.LeaseResult result = remote.tryLease(key);
    if (result instanceof GuardedBackend.Granted granted) {
      return filledMeanwhile(key, granted.lease());
    }
    if (result instanceof GuardedBackend.HeldElsewhere) {
      return awaitLeaseHolder(key);
    }
    return Claim.loadUnshared();
  }

  /** Calls the loader; if it fails, gives {@code lease} (may be null) back so no one waits for it. */
  private LocalEntry<V> loadHoldingLease(K key, Lease lease) {
    try {
      return callLoader(key);
    } catch (RuntimeException | Error e) {
      if (lease != null) {
        remote.releaseLease(key, lease);
      }
      throw e;
    }
  }

  /**
   * Polls the backend for the value another process's lease holder is loading, for at most
   * {@code leaseWait}: its value, or our own lease if the holder's came free, or, when the wait
   * runs out or the backend stops answering, a load without sharing.
   */
  private Claim<V> awaitLeaseHolder(K key) {
    long deadline = System.nanoTime() + leaseWaitNanos;
    while (System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(LEASE_POLL_NANOS);
      LocalEntry<V> entry = remote.get(key);
      if (entry != null) {
        return new Claim<>(entry, null);
      }
      GuardedBackend.LeaseResult result = remote.tryLease(key);
      if (result instanceof GuardedBackend.Granted granted) {
        return filledMeanwhile(key, granted.lease());
      }
      if (result instanceof GuardedBackend.Unavailable) {
        return Claim.loadUnshared();
      }
    }
    return Claim.loadUnshared();
  }

  /**
   * Just granted {@code lease}: another process may have filled the key between our read and our
   * lease (its fill releases its lease). If so, use its value and give our lease back.
   */
  private Claim<V> filledMeanwhile(K key, Lease lease) {
    LocalEntry<V> entry = remote.get(key);
    if (entry != null) {
      remote.releaseLease(key, lease);
      return new Claim<>(entry, null);
    }
    return new Claim<>(null, lease);
  }

  private LocalEntry<V> fill(K key, LocalEntry<V> entry, long epoch) {
    if (entry.deadline() - ticker.getAsLong() <= 0) {
      return entry;
    }
    putLocal(key, entry);
    if (recordStats) {
      puts.increment();
    }
    if (protect && epochs.read(key) != epoch) {
      local.invalidate(key, entry);
    }
    return entry;
  }

  /** The local tier's entry for {@code key}, fresh or not; the W-TinyLFU tier is called directly. */
  private LocalEntry<V> resident(K key) {
    return caffeine != null ? caffeine.get(key) : local.getIfPresent(key);
  }

  private void putLocal(K key, LocalEntry<V> entry) {
    if (caffeine != null) {
      caffeine.put(key, entry);
    } else {
      local.put(key, entry);
    }
  }

  private LocalEntry<V> callLoader(K key) {
    long start = stopwatch.getAsLong();
    Optional<V> value;
    try {
      value = Objects.requireNonNull(loader.load(key), "the loader returned null instead of an Optional");
    } catch (Exception e) {
      loadFailures.increment();
      throw new CacheLoadException(name + " - loading " + key + " failed", e);
    } catch (Error e) {
      loadFailures.increment();
      throw e;
    }
    long took = Math.max(0, stopwatch.getAsLong() - start);
    loadSuccesses.increment();
    loadNanos.add(took);
    return newEntry(value, took);
  }

  private LocalEntry<V> newEntry(Optional<V> value, long took) {
    return newEntry(value, took, ticker.getAsLong());
  }

  private LocalEntry<V> newEntry(Optional<V> value, long took, long now) {
    long ttl = lifetime(value);
    long horizon = (long) Math.min(ttl, took * beta * REFRESH_HORIZON);
    long expiresAtMillis = backend == null ? 0 : clock.millis() + TimeUnit.NANOSECONDS.toMillis(ttl);
    return LocalEntry.of(value, took, now + ttl, now + ttl - horizon, expiresAtMillis, now);
  }

  /** The TTL, or the negative TTL for "not found", less a random share of up to {@code jitter}. */
  private long lifetime(Optional<V> value) {
    long ttl = value.isPresent() ? ttlNanos : negativeTtlNanos;
    if (jitter > 0 && ttl > 0) {
      ttl -= (long) (ttl * jitter * ThreadLocalRandom.current().nextDouble());
    }
    return ttl;
  }

  /**
   * XFetch: refresh when {@code now - loadTime * beta * ln(rand) >= expiry}, so the chance grows
   * as expiry nears and with the cost of a load, and concurrent readers rarely agree.
   */
  private void refreshEarlyIfDue(K key, LocalEntry<V> entry, long now) {
    if (beta == 0 || now - entry.refreshFrom < 0) {
      return;
    }
    double gap = entry.loadNanos() * beta * -Math.log(ThreadLocalRandom.current().nextDouble());
    if (entry.deadline() - now > gap || flights.isRunning(key) || !refreshing.add(key)) {
      return;
    }
    // A refresh is tracked apart from the misses' flights: a miss never waits for it, so a
    // refresh the executor drops, delays or fails cannot hold a reader up or hand it a value.
    try {
      refreshExecutor.execute(() -> {
        try {
          epochs.duringLoad(() -> refresh(key, entry));
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

  private LocalEntry<V> refresh(K key, LocalEntry<V> current) {
    long epoch = epochs.read(key);
    if (backend == null || undelivered.bypasses(key)) {
      return fill(key, callLoader(key), epoch);
    }
    LocalEntry<V> shared = remote.get(key);
    if (shared != null && shared.expiresAtMillis() > current.expiresAtMillis()) {
      return fill(key, shared, epoch);
    }
    if (!protect) {
      LocalEntry<V> loaded = callLoader(key);
      remote.set(key, loaded);
      return fill(key, loaded, epoch);
    }
    GuardedBackend.LeaseResult result = remote.tryLease(key);
    if (result instanceof GuardedBackend.HeldElsewhere) {
      return current;
    }
    Lease lease = result instanceof GuardedBackend.Granted granted ? granted.lease() : null;
    LocalEntry<V> loaded = loadHoldingLease(key, lease);
    // Without a granted lease nothing is shared: a writer may have invalidated since our read.
    if (lease != null) {
      remote.setIfLeased(key, lease, loaded);
    }
    return fill(key, loaded, epoch);
  }

  @Override
  public Map<K, V> getAll(Collection<? extends K> keys) {
    return epochs.duringLoad(() -> getAllLoading(keys));
  }

  private Map<K, V> getAllLoading(Collection<? extends K> keys) {
    Map<K, V> result = new LinkedHashMap<>();
    Set<K> missing = new LinkedHashSet<>();
    for (K key : keys) {
      Objects.requireNonNull(key, "key");
      LocalEntry<V> entry = localEntry(key);
      if (entry != null) {
        if (recordStats) {
          hits.increment();
        }
        entry.value.ifPresent(v -> result.put(key, v));
      } else if (missing.add(key) && recordStats) {
        misses.increment();
      }
    }
    if (missing.isEmpty()) {
      return result;
    }
    // Single-flight both ways: a key that a get, a refresh or another batch is loading is
    // awaited, and every other key gets a flight of ours, so a get arriving meanwhile waits for
    // this batch instead of calling the loader itself.
    Batch batch = new Batch(result);
    Map<K, Flight<LocalEntry<V>>> theirs = new LinkedHashMap<>();
    for (K key : missing) {
      Flight<LocalEntry<V>> flight = new Flight<>(Thread.currentThread());
      Flight<LocalEntry<V>> running = flights.claim(key, flight);
      if (running == null) {
        batch.owned.put(key, flight);
      } else {
        theirs.put(key, running);
      }
    }
    missing.removeAll(theirs.keySet());
    // Our own keys are settled before we wait for anyone: two batches may each wait for keys
    // the other owns. Every flight of ours lands as its key is settled, or fails here.
    try {
      loadOwn(missing, batch);
    } catch (RuntimeException | Error e) {
      batch.owned.forEach((key, flight) -> flights.fail(key, flight, e));
      throw e;
    }
    theirs.forEach((key, running) -> flights.await(key, running).value.ifPresent(v -> result.put(key, v)));
    return result;
  }

  /** The flights one {@link #getAll} claimed, and the result it builds. */
  private final class Batch {
    final Map<K, Flight<LocalEntry<V>>> owned = new HashMap<>();
    final Map<K, V> result;

    Batch(Map<K, V> result) {
      this.result = result;
    }

    /** Hands a key's entry to the caller and to every get waiting on its flight, which ends. */
    void settle(K key, LocalEntry<V> entry) {
      entry.value.ifPresent(v -> result.put(key, v));
      flights.land(key, owned.get(key), entry);
    }
  }

  /**
   * Loads the keys whose flights {@code batch} holds: local tier again (a flight may have ended
   * between the miss and the claim), pending write-backs, the backend in one round trip, then
   * one {@link Loader#loadAll}. Each flight ends as soon as its key is settled, so a later get
   * reads the local tier, where invalidations apply, rather than a finished flight.
   */
  private void loadOwn(Set<K> missing, Batch batch) {
    Map<K, Long> startEpochs = new HashMap<>();
    missing.forEach(key -> startEpochs.put(key, epochs.read(key)));
    for (var it = missing.iterator(); it.hasNext(); ) {
      K key = it.next();
      LocalEntry<V> entry = localEntry(key);
      if (entry == null && writeBehind != null) {
        Optional<V> pending = writeBehind.pending(key);
        entry = pending == null ? null : fill(key, newEntry(pending, 0), startEpochs.get(key));
      }
      if (entry != null) {
        batch.settle(key, entry);
        it.remove();
      }
    }
    Map<K, Lease> leases = Map.of();
    Set<K> shareable = new LinkedHashSet<>(missing);
    shareable.removeIf(undelivered::bypasses);
    if (backend != null && !shareable.isEmpty()) {
      remote.getAll(shareable).forEach((key, entry) -> {
        if (missing.remove(key)) {
          shareable.remove(key);
          remoteHits.increment();
          batch.settle(key, fill(key, entry, startEpochs.get(key)));
        }
      });
      if (protect && !shareable.isEmpty()) {
        leases = remote.tryLeaseAll(shareable);
      }
    }
    if (!missing.isEmpty()) {
      loadBatch(missing, startEpochs, leases, batch);
    }
  }

  /** One {@link Loader#loadAll} for {@code missing}; writes the backend where a lease allows. */
  private void loadBatch(Set<K> missing, Map<K, Long> startEpochs, Map<K, Lease> leases, Batch batch) {
    long start = stopwatch.getAsLong();
    Map<K, V> loaded;
    try {
      loaded = Objects.requireNonNull(loader.loadAll(missing), "loadAll returned null instead of a map");
    } catch (Exception e) {
      failBatch(leases);
      throw new CacheLoadException(name + " - loading " + missing.size() + " keys failed", e);
    } catch (Error e) {
      failBatch(leases);
      throw e;
    }
    long took = Math.max(0, stopwatch.getAsLong() - start);
    loadSuccesses.increment();
    loadNanos.add(took);
    Map<K, CacheEntry<V>> unprotected = new HashMap<>();
    for (K key : missing) {
      LocalEntry<V> entry = newEntry(Optional.ofNullable(loaded.get(key)), took);
      if (backend != null) {
        Lease lease = leases.get(key);
        if (lease != null) {
          remote.setIfLeased(key, lease, entry);
        } else if (!protect) {
          unprotected.put(key, entry.toRemote());
        }
      }
      batch.settle(key, fill(key, entry, startEpochs.get(key)));
    }
    if (!unprotected.isEmpty()) {
      remote.setAll(unprotected);
    }
  }

  /** A failed {@link Loader#loadAll}: counted, and its leases given back so no one waits for them. */
  private void failBatch(Map<K, Lease> leases) {
    loadFailures.increment();
    if (remote != null) {
      leases.forEach(remote::releaseLease);
    }
  }

  @Override
  public void put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    cacheNow(key, Optional.of(value));
  }

  /** Puts in every tier, rewriting a resident entry in place where it can. */
  private void cacheNow(K key, Optional<V> value) {
    if (epochs.bumpIfLoading(key)) {
      flights.detach(key);
    }
    long now = ticker.getAsLong();
    if (rewriteInPlace) {
      long deadline = now + lifetime(value);
      LocalEntry<V> resident = resident(key);
      if (resident != null && deadline - now > 0 && resident.rewrite(value, deadline)) {
        if (recordStats) {
          puts.increment();
        }
        return;
      }
    }
    LocalEntry<V> entry = newEntry(value, 0, now);
    if (backend != null) {
      invalidateShared(key);
      if (!undelivered.bypasses(key)) {
        remote.set(key, entry);
      }
    }
    if (entry.deadline() - now > 0) {
      putLocal(key, entry);
      if (recordStats) {
        puts.increment();
      }
    } else {
      local.invalidate(key);
    }
  }

  /**
   * Drops {@code key} from the shared tier first, then from this instance. In that order, a read
   * on this instance that misses once the local entry is gone cannot find the old value in the
   * shared tier and keep it again; a fill that read the old value before either step is taken
   * back by the epoch bump (locally) and the revoked lease (remotely). A get that starts after
   * this returns does not join a load that was running before (its flight is detached). If the
   * shared tier cannot be reached, the invalidation is retried until delivered, and meanwhile
   * this instance reads {@code key} from the loader, not from the shared tier.
   */
  @Override
  public void invalidate(K key) {
    Objects.requireNonNull(key, "key");
    invalidateShared(key);
    epochs.bump(key);
    flights.detach(key);
    local.invalidate(key);
  }

  /** The backend's copy and lease go, and other instances are told; a failure is retried later. */
  private void invalidateShared(K key) {
    if (remote != null && !remote.invalidate(key)) {
      undelivered.add(key);
    }
  }

  /** Delivers the invalidations that failed; runs on the retry thread. */
  private void retryInvalidations() {
    try {
      int left = undelivered.retry(remote::invalidate);
      if (left > 0) {
        LOG.debug("{} - {} invalidations still undelivered; their keys bypass the shared tier", name, left);
      }
    } catch (Throwable t) {
      LOG.warn("{} - retrying undelivered invalidations failed; trying again later", name, t);
    }
  }

  @Override
  public void write(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    requireOpen(key);
    WriteStrategy strategy = requireStore();
    ReentrantLock lock = writeLocks.of(key);
    lock.lock();
    try {
      switch (strategy) {
        case WRITE_THROUGH -> {
          storeWrite(key, Optional.of(value));
          cacheNow(key, Optional.of(value));
        }
        case WRITE_AROUND -> {
          storeWrite(key, Optional.of(value));
          invalidate(key);
        }
        case WRITE_BACK -> {
          writeBehind.enqueue(key, Optional.of(value));
          cacheNow(key, Optional.of(value));
        }
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void delete(K key) {
    Objects.requireNonNull(key, "key");
    requireOpen(key);
    WriteStrategy strategy = requireStore();
    ReentrantLock lock = writeLocks.of(key);
    lock.lock();
    try {
      switch (strategy) {
        case WRITE_THROUGH, WRITE_AROUND -> {
          storeWrite(key, Optional.empty());
          invalidate(key);
        }
        case WRITE_BACK -> {
          writeBehind.enqueue(key, Optional.empty());
          cacheNow(key, Optional.empty());
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void requireOpen(K key) {
    if (closed) {
      throw new IllegalStateException(name + " - closed; the write of " + key + " was refused");
    }
  }

  private WriteStrategy requireStore() {
    if (store == null) {
      throw new IllegalStateException(name + " - write and delete need a store; see CacheAsideBuilder.store");
    }
    return writeStrategy;
  }

  private void storeWrite(K key, Optional<V> value) {
    try {
      if (value.isPresent()) {
        store.write(key, value.get());
      } else {
        store.delete(key);
      }
      directStoreWrites.increment();
    } catch (Exception e) {
      throw new CacheWriteException(name + " - storing " + key + " failed; the cache is unchanged", e);
    }
  }

  @Override
  public boolean flush() {
    return writeBehind == null || writeBehind.flush();
  }

  @Override
  public CacheStats stats() {
    long storeWrites = directStoreWrites.sum() + (writeBehind == null ? 0 : writeBehind.storeWrites());
    return new CacheStats(hits.sum(), misses.sum(), remoteHits.sum(), loadSuccesses.sum(),
        loadFailures.sum(), loadNanos.sum(), puts.sum(), local.evictionCount(), (remote == null ? 0 : remote.errors()),
        storeWrites, writeBehind == null ? 0 : writeBehind.quarantines());
  }

  @Override
  public long estimatedSize() {
    return local.estimatedSize();
  }

  @Override
  public String name() {
    return name;
  }

  /** What the local tier holds for {@code key} without loading or counting; for tests. */
  Optional<Optional<V>> peek(K key) {
    LocalEntry<V> entry = localEntry(key);
    return entry == null ? Optional.empty() : Optional.of(entry.value);
  }

  /** Write-back only: keys waiting to be stored. */
  int pendingWrites() {
    return writeBehind == null ? 0 : writeBehind.size();
  }

  @Override
  public void close() {
    closed = true;
    if (near != null) {
      backend.unsubscribe(near);
    }
    if (ownedRefreshExecutor != null) {
      ownedRefreshExecutor.shutdown();
    }
    try {
      if (writeBehind != null) {
        closeWriteBack();
      }
    } finally {
      // After the last flush, whose stored keys are invalidated in the shared tier too.
      if (invalidationRetrier != null) {
        invalidationRetrier.shutdown();
        retryInvalidations();
        if (undelivered.size() > 0 || undelivered.dropped() > 0) {
          LOG.warn("{} - closed with {} invalidations the shared tier never took ({} more dropped past the bound);"
              + " other instances may serve those keys' replaced values until they expire", name,
              undelivered.size(), undelivered.dropped());
        }
      }
    }
  }

  private void closeWriteBack() {
    writeBehind.close();
    flusher.shutdown();
    try {
      flusher.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writeBehind.flush();
    String lost = writeBehind.lost();
    if (lost != null) {
      throw new CacheWriteException(name + " - " + lost, null);
    }
  }

  /** The local tier as the near cache's channels act on it. */
  private final class NearTier implements NearCacheTrust.LocalTier<K> {
    @Override
    public void invalidate(K key) {
      epochs.bump(key);
      local.invalidate(key);
    }

    @Override
    public void invalidateAll(Predicate<? super K> covers) {
      // Fills that started while the channel was down take back what they put (when stale-set
      // protection is on), and whatever the local tier cached for its keys meanwhile goes.
      epochs.bumpAll();
      if (covers == InvalidationListener.EVERY_KEY) {
        local.invalidateAll();
      } else {
        local.invalidateAll(covers);
      }
    }

    @Override
    public void trustChanged(boolean allUp) {
      quickHits = allUp && !recordStats;
    }
  }

  @Override
  public String toString() {
    return "CacheAside[" + name + ", " + local + (backend == null ? "" : ", backend=" + backend) + "]";
  }
}
