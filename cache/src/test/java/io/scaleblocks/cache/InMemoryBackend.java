package io.scaleblocks.cache;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link CacheBackend} held in memory, with one invalidation channel that the test brings up
 * and down by hand. Like Redis pub/sub, an invalidation published while the channel is down is
 * lost. Entries do not expire here; the cache checks their expiry itself.
 */
final class InMemoryBackend implements CacheBackend<String, String> {

  private final String name;
  private final Map<String, CacheEntry<String>> entries = new ConcurrentHashMap<>();
  private final List<InvalidationListener<String>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicInteger leases = new AtomicInteger();
  private volatile boolean channelUp;
  /** Makes invalidate throw, as a down Redis or an open circuit does. */
  volatile boolean failInvalidate;
  /** Makes tryLease throw, as a timed-out lease script does. */
  volatile boolean failLease;
  /** Runs inside invalidate, before the entry is removed. */
  volatile Runnable duringInvalidate = () -> { };
  /** False holds pub/sub deliveries back, as a slow network does (they are then lost). */
  volatile boolean deliver = true;
  final List<Lease> released = new CopyOnWriteArrayList<>();
  final AtomicInteger sets = new AtomicInteger();

  InMemoryBackend(String name) {
    this.name = name;
  }

  /** The subscription is confirmed (first time or again). */
  synchronized void channelUp() {
    channelUp = true;
    listeners.forEach(InvalidationListener::reconnected);
  }

  /** The subscription is lost. */
  synchronized void channelDown() {
    if (channelUp) {
      channelUp = false;
      listeners.forEach(InvalidationListener::disconnected);
    }
  }

  /** Reads of single keys and batches so far. */
  int reads() {
    return reads.get();
  }

  /** Drops an entry the way an eviction does: silently, telling no listener. */
  void forget(String key) {
    entries.remove(key);
  }

  boolean holds(String key) {
    return entries.containsKey(key);
  }

  @Override
  public Optional<CacheEntry<String>> get(String key) {
    reads.incrementAndGet();
    return Optional.ofNullable(entries.get(key));
  }

  @Override
  public Map<String, CacheEntry<String>> getAll(Collection<? extends String> keys) {
    reads.incrementAndGet();
    Map<String, CacheEntry<String>> found = new HashMap<>();
    for (String key : keys) {
      CacheEntry<String> entry = entries.get(key);
      if (entry != null) {
        found.put(key, entry);
      }
    }
    return found;
  }

  @Override
  public void set(String key, CacheEntry<String> entry) {
    sets.incrementAndGet();
    entries.put(key, entry);
  }

  @Override
  public void setAll(Map<? extends String, CacheEntry<String>> batch) {
    entries.putAll(batch);
  }

  /** Removes the entry and publishes the invalidation, which only an up channel delivers. */
  @Override
  public void invalidate(String key) {
    if (failInvalidate) {
      throw new CacheBackendException(name + " - connection refused", null);
    }
    duringInvalidate.run();
    entries.remove(key);
    if (channelUp && deliver) {
      listeners.forEach(listener -> listener.invalidated(key));
    }
  }

  @Override
  public Optional<Lease> tryLease(String key, Duration ttl) {
    if (failLease) {
      throw new CacheBackendException(name + " - lease script timed out", null);
    }
    return Optional.of(new Lease(name + "-" + leases.incrementAndGet()));
  }

  @Override
  public boolean setIfLeased(String key, Lease lease, CacheEntry<String> entry) {
    sets.incrementAndGet();
    entries.put(key, entry);
    return true;
  }

  @Override
  public void releaseLease(String key, Lease lease) {
    released.add(lease);
  }

  @Override
  public synchronized boolean subscribe(InvalidationListener<String> listener) {
    listener.disconnected();
    listeners.add(listener);
    if (channelUp) {
      listener.reconnected();
    }
    return true;
  }

  @Override
  public synchronized void unsubscribe(InvalidationListener<String> listener) {
    listeners.remove(listener);
  }

  int listenerCount() {
    return listeners.size();
  }

  @Override
  public void close() {
  }

  @Override
  public String toString() {
    return name;
  }
}
