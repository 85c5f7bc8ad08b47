package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Fills that race a write or wait for another process's lease: what they may leave in the shared
 * tier, and what an interrupted reader does.
 */
class FillRaceTest {

  /** An {@link InMemoryBackend} whose reads can run a step first, and whose leases another process may hold. */
  static final class HookedBackend implements CacheBackend<String, String> {
    final InMemoryBackend delegate = new InMemoryBackend("hooked");
    /** Runs once, inside the next {@link #get}, before the read. */
    final AtomicReference<Runnable> beforeNextGet = new AtomicReference<>();
    /** Runs once, inside the next {@link #getAll}, before the read. */
    final AtomicReference<Runnable> beforeNextGetAll = new AtomicReference<>();
    /** The next {@link #set} fails, as a timed-out SET does. */
    volatile boolean failNextSet;
    /** Every lease is held by another process. */
    volatile boolean leasesHeldElsewhere;
    final AtomicInteger calls = new AtomicInteger();

    HookedBackend() {
      delegate.channelUp();
    }

    @Override
    public Optional<CacheEntry<String>> get(String key) {
      calls.incrementAndGet();
      Runnable step = beforeNextGet.getAndSet(null);
      if (step != null) {
        step.run();
      }
      return delegate.get(key);
    }

    @Override
    public Map<String, CacheEntry<String>> getAll(Collection<? extends String> keys) {
      calls.incrementAndGet();
      Runnable step = beforeNextGetAll.getAndSet(null);
      if (step != null) {
        step.run();
      }
      return delegate.getAll(keys);
    }

    @Override
    public void set(String key, CacheEntry<String> entry) {
      if (failNextSet) {
        failNextSet = false;
        throw new CacheBackendException("hooked - SET timed out", null);
      }
      delegate.set(key, entry);
    }

    @Override
    public void setAll(Map<? extends String, CacheEntry<String>> batch) {
      delegate.setAll(batch);
    }

    @Override
    public void invalidate(String key) {
      delegate.invalidate(key);
    }

    @Override
    public Optional<Lease> tryLease(String key, Duration ttl) {
      calls.incrementAndGet();
      return leasesHeldElsewhere ? Optional.empty() : delegate.tryLease(key, ttl);
    }

    @Override
    public boolean setIfLeased(String key, Lease lease, CacheEntry<String> entry) {
      return delegate.setIfLeased(key, lease, entry);
    }

    @Override
    public void releaseLease(String key, Lease lease) {
      delegate.releaseLease(key, lease);
    }

    @Override
    public boolean subscribe(InvalidationListener<String> listener) {
      return delegate.subscribe(listener);
    }

    @Override
    public void unsubscribe(InvalidationListener<String> listener) {
      delegate.unsubscribe(listener);
    }

    @Override
    public void close() {
    }

    Optional<String> shared(String key) {
      return delegate.get(key).flatMap(CacheEntry::value);
    }
  }

  /**
   * Write-back: the row reaches the store only at the next flush. An early refresh checked for a
   * pending write of its key, found none, and then the key was written (same millisecond, so the
   * written entry does not expire later than the one being refreshed). The refresh must not load
   * the store's older row and put it into the shared tier over the written value: every other
   * instance would read the overwritten value until the flush.
   */
  @Test
  void anEarlyRefreshOvertakenByAWriteBackDoesNotShareTheStoresOlderRow() {
    FakeTime time = new FakeTime();
    Map<String, String> rows = new ConcurrentHashMap<>(Map.of("k", "v1"));
    Store<String, String> store = new Store<>() {
      @Override
      public void write(String key, String value) {
        rows.put(key, value);
      }

      @Override
      public void delete(String key) {
        rows.remove(key);
      }
    };
    HookedBackend backend = new HookedBackend();
    List<Runnable> refreshes = new ArrayList<>();
    CacheAside<String, String> cache = CacheAside.<String, String>builder(key -> {
      // A slow load: XFetch may refresh it long before expiry.
      time.advance(Duration.ofSeconds(100));
      return Optional.ofNullable(rows.get(key));
    }).ttl(Duration.ofSeconds(10)).ttlJitter(0).earlyRefresh(1.0).refreshExecutor(refreshes::add)
        .backend(backend).store(store, WriteStrategy.WRITE_BACK).writeBack(Duration.ofHours(1), 100)
        .ticker(time::nanoTime).clock(time).build();
    try {
      assertEquals(Optional.of("v1"), cache.get("k"));
      for (int i = 0; i < 1000 && refreshes.isEmpty(); i++) {
        cache.get("k");
      }
      assertEquals(1, refreshes.size(), "a hit drew an early refresh");
      backend.beforeNextGet.set(() -> cache.write("k", "v2"));
      refreshes.get(0).run();

      assertEquals(Optional.of("v2"), backend.shared("k"),
          "the shared tier, which other instances read, holds the acknowledged write");
      assertEquals(Optional.of("v2"), cache.get("k"));
    } finally {
      cache.close();
    }
  }

  /**
   * The same race for a batch, whose write's own SET into the shared tier failed (a timeout):
   * the batch found no pending write, the key was written, and the batch then got the lease.
   * It must not load the store's older row into the shared tier.
   */
  @Test
  void aGetAllOvertakenByAWriteBackDoesNotShareTheStoresOlderRow() {
    Map<String, String> rows = new ConcurrentHashMap<>(Map.of("k", "v1", "j", "w1"));
    Store<String, String> store = new Store<>() {
      @Override
      public void write(String key, String value) {
        rows.put(key, value);
      }

      @Override
      public void delete(String key) {
        rows.remove(key);
      }
    };
    HookedBackend backend = new HookedBackend();
    CacheAside<String, String> cache = CacheAside.<String, String>builder(key -> Optional.ofNullable(rows.get(key)))
        .backend(backend).store(store, WriteStrategy.WRITE_BACK).writeBack(Duration.ofHours(1), 100).build();
    try {
      backend.beforeNextGetAll.set(() -> {
        backend.failNextSet = true;
        cache.write("k", "v2");
      });
      cache.getAll(List.of("k", "j"));

      assertFalse(backend.shared("k").equals(Optional.of("v1")),
          "the shared tier, which other instances read, must not hold the overwritten row");
      assertEquals(Optional.of("v2"), cache.get("k"));
    } finally {
      cache.close();
    }
  }

  private static CacheAside<String, String> waitingCache(HookedBackend backend, AtomicInteger loads) {
    return CacheAside.<String, String>builder(key -> {
      loads.incrementAndGet();
      return Optional.of("loaded-" + key);
    }).backend(backend).leaseWait(Duration.ofMillis(600)).build();
  }

  /**
   * A reader whose thread is interrupted (a cancelled request) while another process holds the
   * key's lease: parking returns at once for an interrupted thread, so a wait that only parks
   * polls the backend in a tight loop for the whole {@code leaseWait}. It must stop waiting
   * instead, load, and keep its interrupt status.
   */
  @Test
  void anInterruptedGetStopsWaitingForAnotherProcessesLease() {
    HookedBackend backend = new HookedBackend();
    backend.leasesHeldElsewhere = true;
    AtomicInteger loads = new AtomicInteger();
    CacheAside<String, String> cache = waitingCache(backend, loads);
    try {
      int before = backend.calls.get();
      Thread.currentThread().interrupt();
      long start = System.nanoTime();
      Optional<String> value = cache.get("k");
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      boolean stillInterrupted = Thread.interrupted();
      int calls = backend.calls.get() - before;
      assertEquals(Optional.of("loaded-k"), value);
      assertTrue(stillInterrupted, "the interrupt status is kept");
      // Stopping at the interrupt takes a few calls; an uninterrupted wait makes up to 2 * 600 / 5,
      // one that spins about a million.
      assertTrue(calls < 50, calls + " backend calls in " + tookMillis + " ms");
    } finally {
      Thread.interrupted();
      cache.close();
    }
  }

  /** The same for a batch waiting for the keys another process holds. */
  @Test
  void anInterruptedGetAllStopsWaitingForAnotherProcessesLeases() {
    HookedBackend backend = new HookedBackend();
    backend.leasesHeldElsewhere = true;
    AtomicInteger loads = new AtomicInteger();
    CacheAside<String, String> cache = waitingCache(backend, loads);
    try {
      int before = backend.calls.get();
      Thread.currentThread().interrupt();
      Map<String, String> values = cache.getAll(List.of("a", "b"));
      boolean stillInterrupted = Thread.interrupted();
      int calls = backend.calls.get() - before;
      assertEquals(Map.of("a", "loaded-a", "b", "loaded-b"), values);
      assertTrue(stillInterrupted, "the interrupt status is kept");
      assertTrue(calls < 50, calls + " backend calls");
      assertFalse(loads.get() == 0);
    } finally {
      Thread.interrupted();
      cache.close();
    }
  }
}
