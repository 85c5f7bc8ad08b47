package io.scaleblocks.cache;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.function.Consumer;

/**
 * O(1) LFU after Shah, Mitra and Matani, "An O(1) algorithm for implementing the LFU cache
 * eviction scheme" (2010): a doubly linked list of frequency buckets in ascending order, each
 * holding its keys in the order they reached that frequency. An access moves a key to the next
 * bucket (created when missing, the old one dropped when empty); the victim is the first key of
 * the lowest bucket. Every operation is O(1).
 */
final class LfuOrder<K> implements PolicyOrder<K> {

  private static final class Bucket<K> {
    final long frequency;
    final LinkedHashSet<K> keys = new LinkedHashSet<>();
    Bucket<K> prev;
    Bucket<K> next;

    Bucket(long frequency) {
      this.frequency = frequency;
    }
  }

  private static final class Entry<K> {
    Bucket<K> bucket;
    long weight;

    Entry(Bucket<K> bucket, long weight) {
      this.bucket = bucket;
      this.weight = weight;
    }
  }

  private final Map<K, Entry<K>> entries = new HashMap<>();
  private final long capacity;
  private Bucket<K> lowest;
  private long weight;

  LfuOrder(long capacity) {
    this.capacity = capacity;
  }

  @Override
  public void recordHit(K key) {
    Entry<K> entry = entries.get(key);
    if (entry != null) {
      promote(key, entry);
    }
  }

  private void promote(K key, Entry<K> entry) {
    Bucket<K> from = entry.bucket;
    Bucket<K> to = from.next;
    if (to == null || to.frequency != from.frequency + 1) {
      to = new Bucket<>(from.frequency + 1);
      to.prev = from;
      to.next = from.next;
      if (from.next != null) {
        from.next.prev = to;
      }
      from.next = to;
    }
    from.keys.remove(key);
    to.keys.add(key);
    entry.bucket = to;
    if (from.keys.isEmpty()) {
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
      first = new Bucket<>(1);
      first.next = lowest;
      if (lowest != null) {
        lowest.prev = first;
      }
      lowest = first;
    }
    first.keys.add(key);
    entries.put(key, new Entry<>(first, entryWeight));
    weight += entryWeight;
  }

  @Override
  public void update(K key, long entryWeight, Consumer<? super K> evicted) {
    Entry<K> entry = entries.get(key);
    if (entry == null) {
      return;
    }
    weight += entryWeight - entry.weight;
    entry.weight = entryWeight;
    promote(key, entry);
    while (weight > capacity && !(entries.size() == 1)) {
      evictOne(key, evicted);
    }
  }

  private void evictOne(K spared, Consumer<? super K> evicted) {
    for (Bucket<K> bucket = lowest; bucket != null; bucket = bucket.next) {
      Iterator<K> keys = bucket.keys.iterator();
      while (keys.hasNext()) {
        K victim = keys.next();
        if (victim.equals(spared)) {
          continue;
        }
        keys.remove();
        weight -= entries.remove(victim).weight;
        if (bucket.keys.isEmpty()) {
          unlink(bucket);
        }
        evicted.accept(victim);
        return;
      }
    }
  }

  private void unlink(Bucket<K> bucket) {
    if (bucket.prev != null) {
      bucket.prev.next = bucket.next;
    } else {
      lowest = bucket.next;
    }
    if (bucket.next != null) {
      bucket.next.prev = bucket.prev;
    }
  }

  @Override
  public void remove(K key) {
    Entry<K> entry = entries.remove(key);
    if (entry != null) {
      weight -= entry.weight;
      entry.bucket.keys.remove(key);
      if (entry.bucket.keys.isEmpty()) {
        unlink(entry.bucket);
      }
    }
  }

  @Override
  public void clear() {
    entries.clear();
    lowest = null;
    weight = 0;
  }
}
