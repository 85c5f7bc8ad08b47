package io.scaleblocks.cache;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * O(1) LFU after Shah, Mitra and Matani, "An O(1) algorithm for implementing the LFU cache
 * eviction scheme" (2010): a doubly linked list of frequency buckets in ascending order, each
 * holding its keys in the order they reached that frequency. An access moves a key to the next
 * bucket (created when missing, the old one dropped when empty); the victim is the first key of
 * the lowest bucket. Every operation is O(1).
 *
 * <p>Both lists are intrusive: one {@link Node} per resident key, made on admission, and a read
 * arrives with that node as its handle, so a hit is a few pointer moves with no hash lookup. A
 * bucket left empty goes to a free list and is reused for the next frequency that needs one, so
 * hits and updates allocate nothing once the cache has warmed up; the free list never holds more
 * buckets than were in use at once.
 */
final class LfuOrder<K> implements PolicyOrder<K> {

  private static final class Node<K> extends NodeList.Keyed<K, Node<K>> {
    /** The bucket holding this key; null once the key was evicted, removed or cleared. */
    Bucket<K> bucket;

    Node(K key, long weight) {
      super(key, weight);
    }
  }

  /** The keys seen exactly {@code frequency} times, eldest first. */
  private static final class Bucket<K> extends NodeList<Node<K>> {
    long frequency;
    /** Neighbouring buckets, lower and higher frequency; {@code next} links the free list too. */
    Bucket<K> prev;
    Bucket<K> next;

    @Override
    void append(Node<K> node) {
      super.append(node);
      node.bucket = this;
    }

    @Override
    void remove(Node<K> node) {
      super.remove(node);
      node.bucket = null;
    }
  }

  private final Map<K, Node<K>> index = new HashMap<>();
  private final long capacity;
  private Bucket<K> lowest;
  private Bucket<K> spareBuckets;
  private long weight;

  LfuOrder(long capacity) {
    this.capacity = capacity;
  }

  @Override
  public void recordHit(K key) {
    Node<K> node = index.get(key);
    if (node != null) {
      promote(node);
    }
  }

  @Override
  public void recordHit(K key, Object handle) {
    @SuppressWarnings("unchecked")
    Node<K> node = (Node<K>) handle;
    if (node == null) {
      recordHit(key);
    } else if (node.bucket != null) {
      promote(node);
    }
  }

  @Override
  public Object handle(K key) {
    return index.get(key);
  }

  private void promote(Node<K> node) {
    Bucket<K> from = node.bucket;
    long frequency = from.frequency + 1;
    Bucket<K> to = from.next;
    if (to == null || to.frequency != frequency) {
      if (from.head == node && from.tail == node) {
        // The key's bucket would be left empty: the bucket itself moves up, which is the same list.
        from.frequency = frequency;
        return;
      }
      to = bucketAfter(from, frequency);
    }
    from.remove(node);
    to.append(node);
    if (from.isEmpty()) {
      unlink(from);
    }
  }

  @Override
  public void admit(K key, long entryWeight, Consumer<? super K> evicted) {
    while (weight + entryWeight > capacity && lowest != null) {
      evictOne(null, evicted);
    }
    Bucket<K> first = lowest;
    if (first == null || first.frequency != 1) {
      first = bucketAfter(null, 1);
    }
    Node<K> node = new Node<>(key, entryWeight);
    first.append(node);
    index.put(key, node);
    weight += entryWeight;
  }

  @Override
  public void update(K key, long entryWeight, Consumer<? super K> evicted) {
    Node<K> node = index.get(key);
    if (node == null) {
      return;
    }
    weight += entryWeight - node.weight;
    node.weight = entryWeight;
    promote(node);
    while (weight > capacity && index.size() > 1) {
      evictOne(node, evicted);
    }
  }

  /** Evicts the least frequently used key, eldest first among equals, other than {@code spared}. */
  private void evictOne(Node<K> spared, Consumer<? super K> evicted) {
    for (Bucket<K> bucket = lowest; bucket != null; bucket = bucket.next) {
      for (Node<K> victim = bucket.head; victim != null; victim = victim.next) {
        if (victim == spared) {
          continue;
        }
        bucket.remove(victim);
        index.remove(victim.key);
        weight -= victim.weight;
        if (bucket.isEmpty()) {
          unlink(bucket);
        }
        evicted.accept(victim.key);
        return;
      }
    }
  }

  @Override
  public void remove(K key) {
    Node<K> node = index.remove(key);
    if (node != null) {
      Bucket<K> bucket = node.bucket;
      bucket.remove(node);
      weight -= node.weight;
      if (bucket.isEmpty()) {
        unlink(bucket);
      }
    }
  }

  @Override
  public void clear() {
    // Reads still buffered for these keys must find them gone.
    for (Node<K> node : index.values()) {
      node.bucket = null;
    }
    while (lowest != null) {
      Bucket<K> bucket = lowest;
      bucket.clear();
      unlink(bucket);
    }
    index.clear();
    weight = 0;
  }

  /** Links an empty bucket for {@code frequency} after {@code prev} (or first when null). */
  private Bucket<K> bucketAfter(Bucket<K> prev, long frequency) {
    Bucket<K> bucket = spareBuckets;
    if (bucket != null) {
      spareBuckets = bucket.next;
    } else {
      bucket = new Bucket<>();
    }
    bucket.frequency = frequency;
    bucket.prev = prev;
    bucket.next = prev == null ? lowest : prev.next;
    if (bucket.next != null) {
      bucket.next.prev = bucket;
    }
    if (prev == null) {
      lowest = bucket;
    } else {
      prev.next = bucket;
    }
    return bucket;
  }

  /** Takes an empty bucket out of the list and keeps it for reuse. */
  private void unlink(Bucket<K> bucket) {
    if (bucket.prev != null) {
      bucket.prev.next = bucket.next;
    } else {
      lowest = bucket.next;
    }
    if (bucket.next != null) {
      bucket.next.prev = bucket.prev;
    }
    bucket.prev = null;
    bucket.next = spareBuckets;
    spareBuckets = bucket;
  }

  @Override
  public long residentWeight() {
    return weight;
  }
}
