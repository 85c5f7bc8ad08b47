package io.scaleblocks.cache;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * ARC, after Megiddo and Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache" (FAST 2003),
 * figure 4, with sizes measured in weight (one per entry when bounded by count). T1 holds keys
 * seen once recently, T2 keys seen at least twice; B1 and B2 remember keys recently evicted from
 * each. A miss that hits a ghost list moves the target size {@code p} of T1 towards the list that
 * would have kept it. The paper's REPLACE runs only while the resident weight does not fit, so a
 * cache that has room (after explicit removals) does not evict. Every operation is O(1) amortised.
 */
final class ArcOrder<K> implements PolicyOrder<K> {

  private final LinkedHashMap<K, Long> t1 = new LinkedHashMap<>();
  private final LinkedHashMap<K, Long> t2 = new LinkedHashMap<>();
  private final LinkedHashMap<K, Long> b1 = new LinkedHashMap<>();
  private final LinkedHashMap<K, Long> b2 = new LinkedHashMap<>();
  private final long capacity;
  private long t1Weight;
  private long t2Weight;
  private long b1Weight;
  private long b2Weight;
  private double p;

  ArcOrder(long capacity) {
    this.capacity = capacity;
  }

  @Override
  public void recordHit(K key) {
    Long w = t1.remove(key);
    if (w != null) {
      t1Weight -= w;
      t2.put(key, w);
      t2Weight += w;
      return;
    }
    w = t2.remove(key);
    if (w != null) {
      t2.put(key, w);
    }
  }

  @Override
  public void admit(K key, long weight, Consumer<? super K> evicted) {
    Long ghost = b1.remove(key);
    if (ghost != null) {
      b1Weight -= ghost;
      double delta = b1Weight + ghost >= b2Weight ? 1 : (double) b2Weight / (b1Weight + ghost);
      p = Math.min(capacity, p + Math.max(delta, 1));
      replace(false, weight, evicted);
      t2.put(key, weight);
      t2Weight += weight;
      return;
    }
    ghost = b2.remove(key);
    if (ghost != null) {
      b2Weight -= ghost;
      double delta = b2Weight + ghost >= b1Weight ? 1 : (double) b1Weight / (b2Weight + ghost);
      p = Math.max(0, p - Math.max(delta, 1));
      replace(true, weight, evicted);
      t2.put(key, weight);
      t2Weight += weight;
      return;
    }
    if (t1Weight + b1Weight + weight > capacity) {
      if (t1Weight < capacity) {
        while (t1Weight + b1Weight + weight > capacity && !b1.isEmpty()) {
          b1Weight -= removeEldest(b1);
        }
        replace(false, weight, evicted);
      } else {
        while (t1Weight + t2Weight + weight > capacity && !t1.isEmpty()) {
          K victim = eldestKey(t1);
          t1Weight -= t1.remove(victim);
          evicted.accept(victim);
        }
        replace(false, weight, evicted);
      }
    } else if (t1Weight + t2Weight + b1Weight + b2Weight + weight > capacity) {
      while (t1Weight + t2Weight + b1Weight + b2Weight + weight > 2 * capacity && !b2.isEmpty()) {
        b2Weight -= removeEldest(b2);
      }
      replace(false, weight, evicted);
    }
    t1.put(key, weight);
    t1Weight += weight;
  }

  /** The paper's REPLACE, repeated until {@code weight} more fits in T1 + T2. */
  private void replace(boolean inB2, long weight, Consumer<? super K> evicted) {
    while (t1Weight + t2Weight + weight > capacity) {
      if (!t1.isEmpty() && (t1Weight > p || (inB2 && t1Weight == p) || t2.isEmpty())) {
        K victim = eldestKey(t1);
        long w = t1.remove(victim);
        t1Weight -= w;
        b1.put(victim, w);
        b1Weight += w;
        evicted.accept(victim);
      } else if (!t2.isEmpty()) {
        K victim = eldestKey(t2);
        long w = t2.remove(victim);
        t2Weight -= w;
        b2.put(victim, w);
        b2Weight += w;
        evicted.accept(victim);
      } else {
        return;
      }
    }
  }

  @Override
  public void update(K key, long weight, Consumer<? super K> evicted) {
    Long old = t1.remove(key);
    if (old != null) {
      t1Weight -= old;
    } else {
      old = t2.remove(key);
      if (old == null) {
        return;
      }
      t2Weight -= old;
    }
    replace(false, weight, evicted);
    t2.put(key, weight);
    t2Weight += weight;
  }

  @Override
  public void remove(K key) {
    Long w = t1.remove(key);
    if (w != null) {
      t1Weight -= w;
      return;
    }
    w = t2.remove(key);
    if (w != null) {
      t2Weight -= w;
    }
  }

  @Override
  public void clear() {
    t1.clear();
    t2.clear();
    b1.clear();
    b2.clear();
    t1Weight = t2Weight = b1Weight = b2Weight = 0;
    p = 0;
  }

  private static <K> K eldestKey(LinkedHashMap<K, Long> list) {
    return list.keySet().iterator().next();
  }

  private static <K> long removeEldest(LinkedHashMap<K, Long> list) {
    Iterator<Map.Entry<K, Long>> it = list.entrySet().iterator();
    long w = it.next().getValue();
    it.remove();
    return w;
  }
}
