package io.scaleblocks.cache;

import io.scaleblocks.sharding.HashFunction;
import io.scaleblocks.sharding.Placement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Client-side sharding: each key goes to the backend that a {@code sharding} {@link Placement}
 * assigns to the hash of its encoded bytes. Batches are split per node. Each node fails on its
 * own (its own timeout and breaker), so a dead node sends only its keys to the loader. Each
 * node's invalidation channel is passed to a near cache as covering that node's keys only (see
 * {@link #subscribe}). Thread-safe: the placement is immutable and fixed at construction.
 */
final class ShardedCacheBackend<K, V> implements CacheBackend<K, V> {

  private final Placement<CacheBackend<K, V>> placement;
  private final HashFunction hash;
  private final Codec<K> keyCodec;

  ShardedCacheBackend(Placement<CacheBackend<K, V>> placement, HashFunction hash, Codec<K> keyCodec) {
    this.placement = placement;
    this.hash = hash;
    this.keyCodec = keyCodec;
  }

  CacheBackend<K, V> nodeFor(K key) {
    return placement.nodeFor(hash.hash(keyCodec.encode(key)));
  }

  private Map<CacheBackend<K, V>, List<K>> split(Collection<? extends K> keys) {
    Map<CacheBackend<K, V>, List<K>> byNode = new IdentityHashMap<>();
    for (K key : keys) {
      byNode.computeIfAbsent(nodeFor(key), n -> new ArrayList<>()).add(key);
    }
    return byNode;
  }

  @Override
  public Optional<CacheEntry<V>> get(K key) {
    return nodeFor(key).get(key);
  }

  /** Asks every node for its keys; a failing node's keys are simply missing from the result. */
  @Override
  public Map<K, CacheEntry<V>> getAll(Collection<? extends K> keys) {
    Map<K, CacheEntry<V>> found = new HashMap<>();
    RuntimeException failure = null;
    for (Map.Entry<CacheBackend<K, V>, List<K>> node : split(keys).entrySet()) {
      try {
        found.putAll(node.getKey().getAll(node.getValue()));
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    if (found.isEmpty() && failure != null) {
      throw failure;
    }
    return found;
  }

  @Override
  public void set(K key, CacheEntry<V> entry) {
    nodeFor(key).set(key, entry);
  }

  @Override
  public void setAll(Map<? extends K, CacheEntry<V>> entries) {
    Map<CacheBackend<K, V>, Map<K, CacheEntry<V>>> byNode = new IdentityHashMap<>();
    entries.forEach((k, v) -> byNode.computeIfAbsent(nodeFor(k), n -> new HashMap<>()).put(k, v));
    RuntimeException failure = null;
    for (Map.Entry<CacheBackend<K, V>, Map<K, CacheEntry<V>>> node : byNode.entrySet()) {
      try {
        node.getKey().setAll(node.getValue());
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void invalidate(K key) {
    nodeFor(key).invalidate(key);
  }

  @Override
  public void invalidate(K key, long origin) {
    nodeFor(key).invalidate(key, origin);
  }

  @Override
  public Optional<Lease> tryLease(K key, Duration ttl) {
    return nodeFor(key).tryLease(key, ttl);
  }

  @Override
  public Map<K, Lease> tryLeaseAll(Collection<? extends K> keys, Duration ttl) {
    Map<K, Lease> leases = new HashMap<>();
    for (Map.Entry<CacheBackend<K, V>, List<K>> node : split(keys).entrySet()) {
      try {
        leases.putAll(node.getKey().tryLeaseAll(node.getValue(), ttl));
      } catch (RuntimeException e) {
        // that node's keys load without a lease and are not stored on it
      }
    }
    return leases;
  }

  @Override
  public void releaseLease(K key, Lease lease) {
    nodeFor(key).releaseLease(key, lease);
  }

  @Override
  public boolean setIfLeased(K key, Lease lease, CacheEntry<V> entry) {
    return nodeFor(key).setIfLeased(key, lease, entry);
  }

  /**
   * Subscribes {@code listener} on every node through a {@link NodeChannel}, which names each of
   * the node's channels by the keys that the node holds (under the current placement) and that
   * the node's own channel covers. So one dead node's lost channel distrusts only its keys in the
   * near cache, and its return clears only those.
   */
  @Override
  public boolean subscribe(InvalidationListener<K> listener) {
    boolean anyChannel = false;
    for (CacheBackend<K, V> node : placement.nodes()) {
      anyChannel |= node.subscribe(new NodeChannel(node, listener));
    }
    return anyChannel;
  }

  @Override
  public void unsubscribe(InvalidationListener<K> listener) {
    for (CacheBackend<K, V> node : placement.nodes()) {
      node.unsubscribe(new NodeChannel(node, listener));
    }
  }

  /**
   * One node's channels, passed on to the listener with their keys narrowed to that node's.
   * Equal when node and listener are the same, so {@link #unsubscribe} can name it.
   */
  private final class NodeChannel implements InvalidationListener<K> {
    private final CacheBackend<K, V> node;
    private final InvalidationListener<K> target;
    /** The node's channel predicates to ours; the same instance every time, as the SPI asks. */
    private final Map<Predicate<? super K>, Predicate<K>> narrowed =
        Collections.synchronizedMap(new IdentityHashMap<>());

    NodeChannel(CacheBackend<K, V> node, InvalidationListener<K> target) {
      this.node = node;
      this.target = target;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ShardedCacheBackend<?, ?>.NodeChannel other && other.node == node && other.target == target;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(node) * 31 + System.identityHashCode(target);
    }

    private Predicate<K> narrow(Predicate<? super K> covers) {
      return narrowed.computeIfAbsent(covers, inner -> new Predicate<K>() {
        @Override
        public boolean test(K key) {
          return nodeFor(key) == node && inner.test(key);
        }

        @Override
        public String toString() {
          return "keys on " + node;
        }
      });
    }

    @Override
    public void invalidated(K key) {
      target.invalidated(key);
    }

    @Override
    public void invalidated(K key, long origin) {
      target.invalidated(key, origin);
    }

    @Override
    public void disconnected(Predicate<? super K> covers) {
      target.disconnected(narrow(covers));
    }

    @Override
    public void reconnected(Predicate<? super K> covers) {
      target.reconnected(narrow(covers));
    }
  }

  @Override
  public void close() {
    for (CacheBackend<K, V> node : placement.nodes()) {
      node.close();
    }
  }

  @Override
  public String toString() {
    return "sharded" + placement.nodes();
  }
}
