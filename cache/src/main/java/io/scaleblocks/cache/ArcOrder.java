package io.scaleblocks.cache;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * ARC, after Megiddo and Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache" (FAST 2003),
 * figure 4, with sizes measured in weight (one per entry when bounded by count). T1 holds keys
 * seen once recently, T2 keys seen at least twice; B1 and B2 remember keys recently evicted from
 * each. A miss that hits a ghost list moves the target size {@code p} of T1 towards the list that
 * would have kept it. The paper's REPLACE runs only while the resident weight does not fit, so a
 * cache that has room (after explicit removals) does not evict. Every operation is O(1) amortised.
 *
 * <p>The four lists are intrusive, eldest first: one {@link Node} per resident or ghost key, made
 * when a key unknown to both ghost lists is admitted, moves from list to list until it falls off
 * a ghost list. A read arrives with that node as its handle, so a hit is a few pointer moves with
 * no hash lookup, and hits and updates allocate nothing.
 */
final class ArcOrder<K> implements PolicyOrder<K> {

  private static final class Node<K> extends NodeList.Keyed<K, Node<K>> {
    /** The list holding this key; null once it left all four. */
    KeyList<K> list;

    Node(K key, long weight) {
      super(key, weight);
    }

    boolean resident() {
      return list != null && list.resident;
    }
  }

  /** One of T1, T2, B1, B2 with its total weight. */
  private static final class KeyList<K> extends NodeList<Node<K>> {
    final boolean resident;
    long weight;

    KeyList(boolean resident) {
      this.resident = resident;
    }

    @Override
    void append(Node<K> node) {
      super.append(node);
      node.list = this;
      weight += node.weight;
    }

    @Override
    void remove(Node<K> node) {
      super.remove(node);
      node.list = null;
      weight -= node.weight;
    }

    /** Forgets every node, so that handles still held for them find them gone. */
    @Override
    void clear() {
      for (Node<K> node = head; node != null; node = node.next) {
        node.list = null;
      }
      super.clear();
      weight = 0;
    }
  }

  private final Map<K, Node<K>> index = new HashMap<>();
  private final KeyList<K> t1 = new KeyList<>(true);
  private final KeyList<K> t2 = new KeyList<>(true);
  private final KeyList<K> b1 = new KeyList<>(false);
  private final KeyList<K> b2 = new KeyList<>(false);
  private final long capacity;
  private double p;

  ArcOrder(long capacity) {
    this.capacity = capacity;
  }

  @Override
  public void recordHit(K key) {
    recordHit(key, index.get(key));
  }

  @Override
  public void recordHit(K key, Object handle) {
    @SuppressWarnings("unchecked")
    Node<K> node = (Node<K>) handle;
    if (node != null && node.resident()) {
      node.list.remove(node);
      t2.append(node);
    }
  }

  @Override
  public Object handle(K key) {
    return index.get(key);
  }

  @Override
  public void admit(K key, long weight, Consumer<? super K> evicted) {
    Node<K> node = index.get(key);
    if (node != null && node.list == b1) {
      long ghost = node.weight;
      b1.remove(node);
      double delta = b1.weight + ghost >= b2.weight ? 1 : (double) b2.weight / (b1.weight + ghost);
      p = Math.min(capacity, p + Math.max(delta, 1));
      replace(false, weight, evicted);
      node.weight = weight;
      t2.append(node);
      return;
    }
    if (node != null && node.list == b2) {
      long ghost = node.weight;
      b2.remove(node);
      double delta = b2.weight + ghost >= b1.weight ? 1 : (double) b1.weight / (b2.weight + ghost);
      p = Math.max(0, p - Math.max(delta, 1));
      replace(true, weight, evicted);
      node.weight = weight;
      t2.append(node);
      return;
    }
    if (t1.weight + b1.weight + weight > capacity) {
      if (t1.weight < capacity) {
        while (t1.weight + b1.weight + weight > capacity && !b1.isEmpty()) {
          forget(b1.head);
        }
        replace(false, weight, evicted);
      } else {
        while (t1.weight + t2.weight + weight > capacity && !t1.isEmpty()) {
          Node<K> victim = t1.head;
          forget(victim);
          evicted.accept(victim.key);
        }
        replace(false, weight, evicted);
      }
    } else if (t1.weight + t2.weight + b1.weight + b2.weight + weight > capacity) {
      while (t1.weight + t2.weight + b1.weight + b2.weight + weight > 2 * capacity && !b2.isEmpty()) {
        forget(b2.head);
      }
      replace(false, weight, evicted);
    }
    node = new Node<>(key, weight);
    index.put(key, node);
    t1.append(node);
  }

  /** The paper's REPLACE, repeated until {@code weight} more fits in T1 + T2. */
  private void replace(boolean inB2, long weight, Consumer<? super K> evicted) {
    while (t1.weight + t2.weight + weight > capacity) {
      if (!t1.isEmpty() && (t1.weight > p || (inB2 && t1.weight == p) || t2.isEmpty())) {
        demote(t1.head, b1, evicted);
      } else if (!t2.isEmpty()) {
        demote(t2.head, b2, evicted);
      } else {
        return;
      }
    }
  }

  /** Evicts a resident key, keeping it as a ghost. */
  private void demote(Node<K> victim, KeyList<K> ghosts, Consumer<? super K> evicted) {
    victim.list.remove(victim);
    ghosts.append(victim);
    evicted.accept(victim.key);
  }

  /** Drops a key from its list and from the index: no ghost remains. */
  private void forget(Node<K> node) {
    node.list.remove(node);
    index.remove(node.key);
  }

  @Override
  public void update(K key, long weight, Consumer<? super K> evicted) {
    Node<K> node = index.get(key);
    if (node == null || !node.resident()) {
      return;
    }
    node.list.remove(node);
    replace(false, weight, evicted);
    node.weight = weight;
    t2.append(node);
  }

  @Override
  public void remove(K key) {
    Node<K> node = index.get(key);
    if (node != null && node.resident()) {
      forget(node);
    }
  }

  @Override
  public void clear() {
    t1.clear();
    t2.clear();
    b1.clear();
    b2.clear();
    index.clear();
    p = 0;
  }

  @Override
  public long residentWeight() {
    return t1.weight + t2.weight;
  }
}
