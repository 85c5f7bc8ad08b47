package io.scaleblocks.cache;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * The one fill protocol of a {@link TieredCacheAside}, for a get's miss, an early refresh and a
 * batch: a pending write-back, else the shared tier, else a lease, then the loader, then the
 * value shared only under the lease, then the local tier under the key's epoch.
 *
 * <p>The rules every fill follows:
 * <ul>
 *   <li>A pending write-back is the value, checked before the shared tier and again once a lease
 *       is granted: a write queued in between has invalidated before the lease was taken, so
 *       nothing would revoke it, and the loader would read the store's older row.
 *   <li>A key whose invalidation the backend has not taken yet ({@link SharedInvalidations#bypasses})
 *       is read from the loader and not shared.
 *   <li>Without stale-set protection the loaded value is written to the shared tier plainly.
 *       With it, only under a lease that is still held when the value is written (an invalidation
 *       revokes it); when the lease call fails nothing is shared.
 *   <li>Leases are claimed, and other processes' holders awaited, by {@link LeaseClaims}: a get
 *       waits for the holder's value, a refresh skips ({@link Mode}), a batch waits like a get
 *       once its other keys are loaded and settled.
 *   <li>A load that fails gives back its leases, so no one waits for them to expire.
 *   <li>The local put is checked against the key's epoch read before the fill began: an
 *       invalidation or write that came meanwhile takes the entry back (with protection on).
 * </ul>
 *
 * <p>Thread-safe; callers provide single-flight.
 */
final class FillPipeline<K, V> {

  /** How a single-key fill treats the shared tier and another process's lease. */
  enum Mode {
    /** A get's miss: any shared entry will do, and another holder's value is awaited. */
    WAIT_FOR_HOLDER,
    /**
     * An early refresh of a current entry: only a shared entry newer than it will do, and the
     * refresh is skipped when another process holds the lease (it is refreshing already).
     */
    SKIP_IF_HELD
  }

  private final String name;
  private final Loader<K, V> loader;
  private final LocalTier<K, V> tier;
  private final GuardedBackend<K, V> remote;
  private final SharedInvalidations<K> invalidations;
  private final WriteBehindQueue<K, V> writeBehind;
  private final WriteEpochs epochs;
  private final Lifetimes lifetimes;
  private final CacheCounters counters;
  private final LongSupplier ticker;
  /** Times loads; finer than the default ticker, which a hit reads. */
  private final LongSupplier stopwatch;
  private final boolean staleSetProtection;
  private final boolean recordStats;
  /** Null without a backend. */
  private final LeaseClaims<K, V> leases;

  FillPipeline(CacheAsideBuilder<K, V> b, LocalTier<K, V> tier, GuardedBackend<K, V> remote,
      SharedInvalidations<K> invalidations, WriteBehindQueue<K, V> writeBehind, WriteEpochs epochs,
      Lifetimes lifetimes, CacheCounters counters) {
    this.name = b.name;
    this.loader = b.loader;
    this.tier = tier;
    this.remote = remote;
    this.invalidations = invalidations;
    this.writeBehind = writeBehind;
    this.epochs = epochs;
    this.lifetimes = lifetimes;
    this.counters = counters;
    this.ticker = b.ticker;
    this.stopwatch = b.stopwatch;
    this.staleSetProtection = b.staleSetProtection;
    this.recordStats = b.recordStats;
    this.leases = remote == null ? null : new LeaseClaims<>(remote, b.leaseWaitNanos);
  }

  /** A get's miss, inside its flight. */
  LocalEntry<V> load(K key) {
    return fill(key, Mode.WAIT_FOR_HOLDER, null);
  }

  /** An early refresh of {@code current}; returns {@code current} when the refresh was skipped. */
  LocalEntry<V> refresh(K key, LocalEntry<V> current) {
    return fill(key, Mode.SKIP_IF_HELD, current);
  }

  private LocalEntry<V> fill(K key, Mode mode, LocalEntry<V> current) {
    long epoch = epochs.read(key);
    if (mode == Mode.WAIT_FOR_HOLDER) {
      // A flight may have ended between the caller's miss and its claim.
      LocalEntry<V> cached = tier.usable(key);
      if (cached != null) {
        return cached;
      }
    }
    Optional<V> pending = pendingWrite(key);
    if (pending != null) {
      return putLocal(key, lifetimes.newEntry(pending, 0), epoch);
    }
    if (!shares(key)) {
      return putLocal(key, callLoader(key), epoch);
    }
    LocalEntry<V> shared = remote.get(key);
    if (LeaseClaims.serves(shared, mode, current)) {
      return putShared(key, shared, mode, epoch);
    }
    if (!staleSetProtection) {
      LocalEntry<V> loaded = callLoader(key);
      remote.set(key, loaded);
      return putLocal(key, loaded, epoch);
    }
    LeaseClaims.Claim<V> claim = leases.claim(key, mode, current);
    if (claim.skip()) {
      return current;
    }
    if (claim.theirs() != null) {
      return putShared(key, claim.theirs(), mode, epoch);
    }
    if (claim.lease() != null) {
      // A write-back queued since the check above is not in the store yet, and its invalidation
      // came before this lease, so the lease would share the store's older row over it.
      Optional<V> written = pendingWrite(key);
      if (written != null) {
        remote.releaseLease(key, claim.lease());
        return putLocal(key, lifetimes.newEntry(written, 0), epoch);
      }
    }
    LocalEntry<V> loaded = loadHoldingLease(key, claim.lease());
    if (claim.lease() != null) {
      remote.setIfLeased(key, claim.lease(), loaded);
    }
    return putLocal(key, loaded, epoch);
  }

  private LocalEntry<V> putShared(K key, LocalEntry<V> shared, Mode mode, long epoch) {
    if (mode == Mode.WAIT_FOR_HOLDER) {
      counters.remoteHits.increment();
    }
    return putLocal(key, shared, epoch);
  }

  /**
   * The batch form, for keys whose flights the caller holds: the same steps with one round trip
   * each for all keys, and one {@link Loader#loadAll}. Keys whose lease another process holds are
   * awaited after the others are loaded and settled (so two batches that lease each other's keys
   * do not wait for each other), for at most {@code leaseWait}; what is still missing then is
   * loaded in a second {@code loadAll}. {@code settle} receives each key's entry as soon as it
   * is known.
   */
  void fillAll(Set<K> missing, BiConsumer<K, LocalEntry<V>> settle) {
    Map<K, Long> startEpochs = new HashMap<>();
    missing.forEach(key -> startEpochs.put(key, epochs.read(key)));
    for (var it = missing.iterator(); it.hasNext(); ) {
      K key = it.next();
      LocalEntry<V> entry = tier.usable(key);
      if (entry == null) {
        Optional<V> pending = pendingWrite(key);
        entry = pending == null ? null : putLocal(key, lifetimes.newEntry(pending, 0), startEpochs.get(key));
      }
      if (entry != null) {
        settle.accept(key, entry);
        it.remove();
      }
    }
    Set<K> shareable = new LinkedHashSet<>(missing);
    shareable.removeIf(key -> !shares(key));
    if (!shareable.isEmpty()) {
      Map<K, LocalEntry<V>> found = remote.getAll(shareable);
      settleShared(found, missing, startEpochs, settle);
      shareable.removeAll(found.keySet());
    }
    if (!staleSetProtection || shareable.isEmpty()) {
      loadBatch(missing, startEpochs, Map.of(), settle);
      return;
    }
    LeaseClaims.BatchClaim<K, V> claim = leases.claimAll(shareable);
    settleShared(claim.theirs(), missing, startEpochs, settle);
    Set<K> held = claim.held();
    missing.removeAll(held);
    settleWrittenMeanwhile(claim.granted(), missing, startEpochs, settle);
    loadBatch(missing, startEpochs, claim.granted(), settle);
    if (!held.isEmpty()) {
      LeaseClaims.BatchClaim<K, V> awaited = leases.awaitHolders(held);
      settleShared(awaited.theirs(), held, startEpochs, settle);
      settleWrittenMeanwhile(awaited.granted(), held, startEpochs, settle);
      loadBatch(held, startEpochs, awaited.granted(), settle);
    }
  }

  /** Settles the keys found in the shared tier that are still in {@code missing}, and removes them from it. */
  private void settleShared(Map<K, LocalEntry<V>> found, Set<K> missing, Map<K, Long> startEpochs,
      BiConsumer<K, LocalEntry<V>> settle) {
    found.forEach((key, entry) -> {
      if (missing.remove(key)) {
        counters.remoteHits.increment();
        settle.accept(key, putLocal(key, entry, startEpochs.get(key)));
      }
    });
  }

  /**
   * Granted keys with a write-back queued since the first check (see {@link #fill}): settled
   * with the pending value, their leases given back and removed from {@code granted} and {@code keys}.
   */
  private void settleWrittenMeanwhile(Map<K, Lease> granted, Set<K> keys, Map<K, Long> startEpochs,
      BiConsumer<K, LocalEntry<V>> settle) {
    if (writeBehind == null || granted.isEmpty()) {
      return;
    }
    for (var it = granted.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<K, Lease> leased = it.next();
      K key = leased.getKey();
      Optional<V> written = writeBehind.pending(key);
      if (written != null) {
        remote.releaseLease(key, leased.getValue());
        it.remove();
        if (keys.remove(key)) {
          settle.accept(key, putLocal(key, lifetimes.newEntry(written, 0), startEpochs.get(key)));
        }
      }
    }
  }

  /** One {@link Loader#loadAll} for {@code keys}; writes the shared tier where a lease (or no protection) allows. */
  private void loadBatch(Set<K> keys, Map<K, Long> startEpochs, Map<K, Lease> granted,
      BiConsumer<K, LocalEntry<V>> settle) {
    if (keys.isEmpty()) {
      return;
    }
    long start = stopwatch.getAsLong();
    Map<K, V> loaded;
    try {
      loaded = Objects.requireNonNull(loader.loadAll(keys), "loadAll returned null instead of a map");
    } catch (Exception e) {
      failBatch(granted);
      throw new CacheLoadException(name + " - loading " + keys.size() + " keys failed", e);
    } catch (Error e) {
      failBatch(granted);
      throw e;
    }
    long took = Math.max(0, stopwatch.getAsLong() - start);
    counters.loaded(took);
    Map<K, CacheEntry<V>> unprotected = new HashMap<>();
    for (K key : keys) {
      LocalEntry<V> entry = lifetimes.newEntry(Optional.ofNullable(loaded.get(key)), took);
      if (remote != null) {
        Lease lease = granted.get(key);
        if (lease != null) {
          remote.setIfLeased(key, lease, entry);
        } else if (!staleSetProtection && shares(key)) {
          unprotected.put(key, entry.toRemote());
        }
      }
      settle.accept(key, putLocal(key, entry, startEpochs.get(key)));
    }
    if (!unprotected.isEmpty()) {
      remote.setAll(unprotected);
    }
  }

  /** A failed {@link Loader#loadAll}: counted, and its leases given back so no one waits for them. */
  private void failBatch(Map<K, Lease> granted) {
    counters.loadFailures.increment();
    if (!granted.isEmpty()) {
      granted.forEach(remote::releaseLease);
    }
  }

  /** The pending write-back of {@code key} (empty for a delete), or null. */
  private Optional<V> pendingWrite(K key) {
    return writeBehind == null ? null : writeBehind.pending(key);
  }

  /** Whether fills of {@code key} use the shared tier. */
  private boolean shares(K key) {
    return remote != null && !invalidations.bypasses(key);
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

  private LocalEntry<V> callLoader(K key) {
    long start = stopwatch.getAsLong();
    Optional<V> value;
    try {
      value = Objects.requireNonNull(loader.load(key), "the loader returned null instead of an Optional");
    } catch (Exception e) {
      counters.loadFailures.increment();
      throw new CacheLoadException(name + " - loading " + key + " failed", e);
    } catch (Error e) {
      counters.loadFailures.increment();
      throw e;
    }
    long took = Math.max(0, stopwatch.getAsLong() - start);
    counters.loaded(took);
    return lifetimes.newEntry(value, took);
  }

  /**
   * Puts a filled entry locally, unless it has already expired, and takes it back if the key's
   * epoch moved since {@code epoch} (an invalidation or write came during the fill).
   */
  LocalEntry<V> putLocal(K key, LocalEntry<V> entry, long epoch) {
    if (entry.deadline() - ticker.getAsLong() <= 0) {
      return entry;
    }
    tier.put(key, entry);
    if (recordStats) {
      counters.puts.increment();
    }
    if (staleSetProtection && epochs.read(key) != epoch) {
      tier.takeBack(key, entry);
    }
    return entry;
  }
}
