package io.scaleblocks.cache;

import io.scaleblocks.cache.FillPipeline.Mode;
import io.scaleblocks.cache.GuardedBackend.LeaseBatch;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The cross-process half of the fill protocol: asking the shared tier for fill leases (memcache
 * leases, Nishtala et al., NSDI 2013) and waiting for another process's lease holder.
 *
 * <ul>
 *   <li>Just granted a lease, a fill reads the shared tier once more: a holder may have filled
 *       (and released its lease) between the fill's read and its lease. If so, that value is
 *       used and the lease given back.
 *   <li>A lease held by another process is waited for, for at most {@code leaseWait}, polling
 *       every 5 ms for the holder's value and for the lease coming free ({@link Mode#WAIT_FOR_HOLDER}
 *       and batches), or not at all ({@link Mode#SKIP_IF_HELD}). A wait that runs out, a
 *       backend that stops answering, or an interrupt of the waiting thread ends in a load that
 *       shares nothing; the interrupt status is kept for the caller. (An interrupted thread does
 *       not park, so a wait that ignored it would poll the backend in a tight loop.)
 * </ul>
 *
 * <p>Thread-safe; holds no state of its own.
 */
final class LeaseClaims<K, V> {

  private static final long LEASE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  /**
   * What a single-key fill does next: use {@code theirs} (another process's fill), skip (a
   * refresh whose key another process holds), or load, sharing the value only if {@code lease}
   * is not null.
   */
  record Claim<V>(LocalEntry<V> theirs, Lease lease, boolean skip) {
    static <V> Claim<V> loadUnshared() {
      return new Claim<>(null, null, false);
    }
  }

  /**
   * What a batch does next: use {@code theirs}, load the keys of {@code granted} and share them,
   * and (after a first claim) wait for the keys in {@code held}; any other key is loaded unshared.
   */
  record BatchClaim<K, V>(Map<K, LocalEntry<V>> theirs, Map<K, Lease> granted, Set<K> held) {}

  private final GuardedBackend<K, V> remote;
  private final long leaseWaitNanos;

  LeaseClaims(GuardedBackend<K, V> remote, long leaseWaitNanos) {
    this.remote = remote;
    this.leaseWaitNanos = leaseWaitNanos;
  }

  /** Whether a shared entry (may be null) answers a fill: any for a get, a newer one for a refresh. */
  static <V> boolean serves(LocalEntry<V> shared, Mode mode, LocalEntry<V> current) {
    return shared != null && (mode == Mode.WAIT_FOR_HOLDER || shared.expiresAtMillis() > current.expiresAtMillis());
  }

  Claim<V> claim(K key, Mode mode, LocalEntry<V> current) {
    GuardedBackend.LeaseResult result = remote.tryLease(key);
    if (result instanceof GuardedBackend.Granted granted) {
      return filledMeanwhile(key, granted.lease(), mode, current);
    }
    if (result instanceof GuardedBackend.HeldElsewhere) {
      return mode == Mode.SKIP_IF_HELD ? new Claim<>(null, null, true) : awaitHolder(key);
    }
    return Claim.loadUnshared();
  }

  private Claim<V> awaitHolder(K key) {
    long deadline = System.nanoTime() + leaseWaitNanos;
    while (System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(LEASE_POLL_NANOS);
      if (Thread.currentThread().isInterrupted()) {
        break;
      }
      LocalEntry<V> entry = remote.get(key);
      if (entry != null) {
        return new Claim<>(entry, null, false);
      }
      GuardedBackend.LeaseResult result = remote.tryLease(key);
      if (result instanceof GuardedBackend.Granted granted) {
        return filledMeanwhile(key, granted.lease(), Mode.WAIT_FOR_HOLDER, null);
      }
      if (result instanceof GuardedBackend.Unavailable) {
        return Claim.loadUnshared();
      }
    }
    return Claim.loadUnshared();
  }

  private Claim<V> filledMeanwhile(K key, Lease lease, Mode mode, LocalEntry<V> current) {
    LocalEntry<V> entry = remote.get(key);
    if (serves(entry, mode, current)) {
      remote.releaseLease(key, lease);
      return new Claim<>(entry, null, false);
    }
    return new Claim<>(null, lease, false);
  }

  /** Leases on {@code keys} in one round trip; {@code held} are the keys another process holds. */
  BatchClaim<K, V> claimAll(Set<K> keys) {
    LeaseBatch<K> leases = remote.tryLeaseAll(keys);
    Map<K, Lease> granted = new HashMap<>(leases.granted());
    Map<K, LocalEntry<V>> theirs = filledMeanwhile(granted);
    Set<K> held = new LinkedHashSet<>();
    if (leases.answered()) {
      keys.stream().filter(key -> !leases.granted().containsKey(key)).forEach(held::add);
    }
    return new BatchClaim<>(theirs, granted, held);
  }

  /**
   * Waits for the holders of {@code held}: their values as they arrive, and the leases of keys
   * that came free; the keys in neither (the wait ran out or was interrupted) are left for the
   * caller to load unshared.
   */
  BatchClaim<K, V> awaitHolders(Set<K> held) {
    Map<K, LocalEntry<V>> theirs = new HashMap<>();
    Map<K, Lease> granted = new HashMap<>();
    Set<K> waiting = new LinkedHashSet<>(held);
    long deadline = System.nanoTime() + leaseWaitNanos;
    while (!waiting.isEmpty() && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(LEASE_POLL_NANOS);
      if (Thread.currentThread().isInterrupted()) {
        break;
      }
      Map<K, LocalEntry<V>> found = remote.getAll(waiting);
      theirs.putAll(found);
      waiting.removeAll(found.keySet());
      if (waiting.isEmpty()) {
        break;
      }
      LeaseBatch<K> free = remote.tryLeaseAll(waiting);
      if (!free.answered()) {
        break;
      }
      waiting.removeAll(free.granted().keySet());
      Map<K, Lease> freed = new HashMap<>(free.granted());
      theirs.putAll(filledMeanwhile(freed));
      granted.putAll(freed);
    }
    return new BatchClaim<>(theirs, granted, Set.of());
  }

  /** The batch form of the re-read after a grant: found keys leave {@code granted}, their leases given back. */
  private Map<K, LocalEntry<V>> filledMeanwhile(Map<K, Lease> granted) {
    if (granted.isEmpty()) {
      return Map.of();
    }
    Map<K, LocalEntry<V>> found = remote.getAll(granted.keySet());
    found.keySet().forEach(key -> remote.releaseLease(key, granted.remove(key)));
    return found;
  }
}
