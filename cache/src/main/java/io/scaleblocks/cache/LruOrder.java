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

  private static final class Link<K> extends NodeList.Keyed<K, Link<K>> {
    boolean linked = true;

    Link(K key, long weight) {
      super(key, weight);
    }
  }

  private final Map<K, Link<K>> index = new HashMap<>();
  private final boolean accessOrder;
  private final long capacity;
  private final NodeList<Link<K>> order = new NodeList<>();
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
    if (accessOrder && link != null && link.linked && link != order.tail) {
      order.remove(link);
      order.append(link);
    }
  }

  @Override
  public Object handle(K key) {
    return index.get(key);
  }

  @Override
  public void admit(K key, long entryWeight, Consumer<? super K> evicted) {
    while (weight + entryWeight > capacity && !order.isEmpty()) {
      evict(order.head, evicted);
    }
    Link<K> link = new Link<>(key, entryWeight);
    index.put(key, link);
    order.append(link);
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
    Link<K> victim = order.head;
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
    order.remove(victim);
    victim.linked = false;
    weight -= victim.weight;
    evicted.accept(victim.key);
  }

  @Override
  public void remove(K key) {
    Link<K> link = index.remove(key);
    if (link != null) {
      order.remove(link);
      link.linked = false;
      weight -= link.weight;
    }
  }

  @Override
  public void clear() {
    for (Link<K> link = order.head; link != null; link = link.next) {
      link.linked = false;
    }
    order.clear();
    index.clear();
    weight = 0;
  }

  @Override
  public long residentWeight() {
    return weight;
  }
}
