package io.scaleblocks.cache;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * LRU (access order) or FIFO (insertion order) over a linked hash map: O(1) per operation, the
 * eldest entry is the victim.
 */
final class LruOrder<K> implements PolicyOrder<K> {

  private final LinkedHashMap<K, Long> order;
  private final boolean accessOrder;
  private final long capacity;
  private long weight;

  LruOrder(long capacity, boolean accessOrder) {
    this.capacity = capacity;
    this.accessOrder = accessOrder;
    this.order = new LinkedHashMap<>(16, 0.75f, accessOrder);
  }

  @Override
  public void recordHit(K key) {
    if (accessOrder) {
      order.get(key);
    }
  }

  @Override
  public void admit(K key, long entryWeight, Consumer<? super K> evicted) {
    makeRoom(entryWeight, evicted);
    order.put(key, entryWeight);
    weight += entryWeight;
  }

  @Override
  public void update(K key, long entryWeight, Consumer<? super K> evicted) {
    Long old = order.get(key);
    if (old == null) {
      return;
    }
    weight += entryWeight - old;
    order.put(key, entryWeight);
    Iterator<Map.Entry<K, Long>> eldest = order.entrySet().iterator();
    while (weight > capacity && eldest.hasNext()) {
      Map.Entry<K, Long> victim = eldest.next();
      if (victim.getKey().equals(key)) {
        continue;
      }
      eldest.remove();
      weight -= victim.getValue();
      evicted.accept(victim.getKey());
    }
  }

  private void makeRoom(long entryWeight, Consumer<? super K> evicted) {
    Iterator<Map.Entry<K, Long>> eldest = order.entrySet().iterator();
    while (weight + entryWeight > capacity && eldest.hasNext()) {
      Map.Entry<K, Long> victim = eldest.next();
      eldest.remove();
      weight -= victim.getValue();
      evicted.accept(victim.getKey());
    }
  }

  @Override
  public void remove(K key) {
    Long old = order.remove(key);
    if (old != null) {
      weight -= old;
    }
  }

  @Override
  public void clear() {
    order.clear();
    weight = 0;
  }
}
