package io.scaleblocks.cache;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * A bounded cache whose eviction order is one of our {@link PolicyOrder}s.
 *
 * <p>Thread-safe. Entries live in a {@link ConcurrentHashMap}; a read is a lock-free lookup plus
 * an append to a lossy {@link ReadBuffer}, and rewriting a resident entry of a cache bounded by
 * count is lock-free too. Inserts, every put of a weighted cache, and removals take a
 * {@link ReentrantLock} that also applies the buffered reads to the policy, so the policy sees
 * events in order when one thread drives the cache, and an entry is always accounted at its
 * value's weight. Expired entries count as absent and are removed when read, when evicted, or
 * by {@link #cleanUp()} (O(n)).
 */
final class PolicyLocalCache<K, V> implements LocalCache<K, V> {

  private static final class Node<K, V> {
    final K key;
    volatile V value;
    volatile long weight;
    volatile long deadline;
    /** The policy's handle for this entry, set under the lock before the node is published. */
    Object handle;

    Node(K key, V value, long weight, long deadline) {
      this.key = key;
      this.value = value;
      this.weight = weight;
      this.deadline = deadline;
    }
  }

  private final EvictionPolicy policy;
  private final ConcurrentHashMap<K, Node<K, V>> data = new ConcurrentHashMap<>();
  private final PolicyOrder<K> order;
  private final ReentrantLock lock = new ReentrantLock();
  private final ReadBuffer<Node<K, V>> reads = new ReadBuffer<>();
  private final boolean readsReorder;
  private final long maximum;
  private final Weigher<? super K, ? super V> weigher;
  private final Expiration<K, V> expiration;
  private final LongSupplier ticker;
  private final ReadCounts counts;
  private volatile long evictions;
  /** Made once: a method reference to this cache is a new object each time it is evaluated. */
  private final Consumer<Node<K, V>> applyRead = this::applyRead;
  private final Consumer<K> evict = this::evict;

  PolicyLocalCache(LocalCacheBuilder<K, V> builder) {
    this.policy = builder.policy;
    this.maximum = builder.maximum;
    this.weigher = builder.weigher;
    this.expiration = builder.expiration;
    this.ticker = builder.ticker;
    this.order = PolicyOrder.create(policy, maximum);
    this.readsReorder = policy != EvictionPolicy.FIFO;
    this.counts = new ReadCounts(builder.recordStats);
  }

  @Override
  public V getIfPresent(K key) {
    Node<K, V> node = data.get(key);
    if (node == null) {
      counts.miss();
      return null;
    }
    if (expiration != null) {
      long now = ticker.getAsLong();
      if (now - node.deadline >= 0) {
        removeExpired(key, node);
        counts.miss();
        return null;
      }
      if (expiration.afterAccess()) {
        node.deadline = now + expiration.afterAccessNanos();
      }
    }
    if (readsReorder) {
      afterRead(node);
    }
    counts.hit();
    return node.value;
  }

  private void afterRead(Node<K, V> node) {
    // When the buffer is full and another thread is already draining, drop the read rather
    // than contend for the lock.
    if (reads.offer(node) == ReadBuffer.Offer.FULL && !lock.isLocked() && lock.tryLock()) {
      try {
        reads.drainTo(applyRead);
        reads.offer(node);
      } finally {
        lock.unlock();
      }
    }
  }

  private void applyRead(Node<K, V> node) {
    order.recordHit(node.key, node.handle);
  }

  @Override
  public void put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    long weight = weigher == null ? 1 : weigher.weigh(key, value);
    if (weight < 0) {
      throw new IllegalArgumentException("weight must be >= 0 but was " + weight + " for key " + key);
    }
    // The lock-free rewrite only without a weigher, where every weight is 1: with one, a locked
    // put of another weight could run between the check and the write, leaving a heavy value
    // accounted at a light weight.
    Node<K, V> node = weigher == null ? data.get(key) : null;
    if (node != null) {
      node.value = value;
      node.deadline = deadline(key, value);
      if (readsReorder) {
        afterRead(node);
      }
      return;
    }
    lock.lock();
    try {
      reads.drainTo(applyRead);
      putLocked(key, value, weight);
    } finally {
      lock.unlock();
    }
  }

  private void putLocked(K key, V value, long weight) {
    Node<K, V> existing = data.get(key);
    if (weight > maximum) {
      if (existing != null) {
        data.remove(key);
        order.remove(key);
      }
      return;
    }
    long deadline = deadline(key, value);
    if (existing != null) {
      existing.value = value;
      existing.deadline = deadline;
      if (existing.weight != weight) {
        existing.weight = weight;
        order.update(key, weight, evict);
      } else {
        order.recordHit(key, existing.handle);
      }
      return;
    }
    order.admit(key, weight, evict);
    Node<K, V> node = new Node<>(key, value, weight, deadline);
    node.handle = order.handle(key);
    data.put(key, node);
  }

  private long deadline(K key, V value) {
    return expiration == null ? Long.MAX_VALUE : expiration.deadline(key, value, ticker.getAsLong());
  }

  private void evict(K victim) {
    data.remove(victim);
    evictions++;
  }

  private void removeExpired(K key, Node<K, V> node) {
    lock.lock();
    try {
      if (data.remove(key, node)) {
        order.remove(key);
        evictions++;
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void invalidate(K key) {
    Objects.requireNonNull(key, "key");
    lock.lock();
    try {
      if (data.remove(key) != null) {
        order.remove(key);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean invalidate(K key, V expected) {
    Objects.requireNonNull(key, "key");
    lock.lock();
    try {
      Node<K, V> node = data.get(key);
      if (node != null && node.value == expected) {
        data.remove(key);
        order.remove(key);
        return true;
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void invalidateAll() {
    lock.lock();
    try {
      reads.drainTo(k -> { });
      data.clear();
      order.clear();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void invalidateAll(Predicate<? super K> keys) {
    Objects.requireNonNull(keys, "keys");
    for (K key : data.keySet()) {
      if (keys.test(key)) {
        invalidate(key);
      }
    }
  }

  @Override
  public long estimatedSize() {
    return data.size();
  }

  @Override
  public long evictionCount() {
    return evictions;
  }

  @Override
  public long hitCount() {
    return counts.hits();
  }

  @Override
  public long missCount() {
    return counts.misses();
  }

  @Override
  public void cleanUp() {
    lock.lock();
    try {
      reads.drainTo(applyRead);
      if (expiration != null) {
        long now = ticker.getAsLong();
        data.forEach((key, node) -> {
          if (now - node.deadline >= 0 && data.remove(key, node)) {
            order.remove(key);
            evictions++;
          }
        });
      }
    } finally {
      lock.unlock();
    }
  }

  /** The resident keys after applying buffered reads; for tests. */
  Set<K> residentKeys() {
    lock.lock();
    try {
      reads.drainTo(applyRead);
      return Set.copyOf(data.keySet());
    } finally {
      lock.unlock();
    }
  }

  /** Each resident key's weight as this cache accounts it; for tests. */
  Map<K, Long> accountedWeights() {
    lock.lock();
    try {
      Map<K, Long> weights = new HashMap<>();
      data.forEach((key, node) -> weights.put(key, node.weight));
      return weights;
    } finally {
      lock.unlock();
    }
  }

  /** The total weight the policy holds under the bound; for tests. */
  long accountedWeight() {
    lock.lock();
    try {
      return order.residentWeight();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public EvictionPolicy policy() {
    return policy;
  }

  @Override
  public String toString() {
    return "LocalCache[" + policy.policyName() + ", size=" + data.size() + "/" + maximum + "]";
  }
}
