package io.scaleblocks.cache;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * LRU (access order) or FIFO (insertion order) over an intrusive doubly linked list, eldest
 * first: O(1) per operation. A read arrives with its list link as the handle, so applying it is
 * two pointer moves with no hash lookup; the key index is used only by writes and removals.
 */
final class LruOrder<K> implements PolicyOrder<K> {

  private static final class Link<K> {
    final K key;
    long weight;
    Link<K> prev;
    Link<K> next;
    boolean linked = true;

    Link(K key, long weight) {
      this.key = key;
      this.weight = weight;
    }
  }

  private final Map<K, Link<K>> index = new HashMap<>();
  private final boolean accessOrder;
  private final long capacity;
  private Link<K> head;
  private Link<K> tail;
  private long weight;

  LruOrder(long capacity, boolean accessOrder) {
    this.capacity = capacity;
    this.accessOrder = accessOrder;
  }

  @Override
  public void recordHit(K key) {
    Link<K> link = index.get(key);
    if (link != null) {
      recordHit(key, link);
    }
  }

  @Override
  public void recordHit(K key, Object handle) {
    @SuppressWarnings("unchecked")
    Link<K> link = (Link<K>) handle;
    if (accessOrder && link != null && link.linked && link != tail) {
      unlink(link);
      append(link);
    }
  }

  @Override
  public Object handle(K key) {
    return index.get(key);
  }

  @Override
  public void admit(K key, long entryWeight, Consumer<? super K> evicted) {
    while (weight + entryWeight > capacity && head != null) {
      evict(head, evicted);
    }
    Link<K> link = new Link<>(key, entryWeight);
    index.put(key, link);
    append(link);
    weight += entryWeight;
  }

  @Override
  public void update(K key, long entryWeight, Consumer<? super K> evicted) {
    Link<K> link = index.get(key);
    if (link == null) {
      return;
    }
    weight += entryWeight - link.weight;
    link.weight = entryWeight;
    recordHit(key, link);
    Link<K> victim = head;
    while (weight > capacity && victim != null) {
      Link<K> next = victim.next;
      if (victim != link) {
        evict(victim, evicted);
      }
      victim = next;
    }
  }

  private void evict(Link<K> victim, Consumer<? super K> evicted) {
    index.remove(victim.key);
    unlink(victim);
    victim.linked = false;
    weight -= victim.weight;
    evicted.accept(victim.key);
  }

  @Override
  public void remove(K key) {
    Link<K> link = index.remove(key);
    if (link != null) {
      unlink(link);
      link.linked = false;
      weight -= link.weight;
    }
  }

  @Override
  public void clear() {
    for (Link<K> link = head; link != null; link = link.next) {
      link.linked = false;
    }
    index.clear();
    head = tail = null;
    weight = 0;
  }

  private void unlink(Link<K> link) {
    if (link.prev != null) {
      link.prev.next = link.next;
    } else {
      head = link.next;
    }
    if (link.next != null) {
      link.next.prev = link.prev;
    } else {
      tail = link.prev;
    }
    link.prev = link.next = null;
  }

  private void append(Link<K> link) {
    link.prev = tail;
    link.next = null;
    if (tail != null) {
      tail.next = link;
    } else {
      head = link;
    }
    tail = link;
  }
}
