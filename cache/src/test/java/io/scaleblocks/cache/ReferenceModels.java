package io.scaleblocks.cache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Deliberately simple, obviously correct (and slow) models of each policy with unit weights,
 * against which the real implementations are checked operation by operation.
 */
final class ReferenceModels {

  private ReferenceModels() {}

  interface Model {
    /** A read: returns whether the key was resident (and records the access). */
    boolean get(int key);

    /** Inserts a key that {@link #get} just missed. */
    void insert(int key);

    /** Rewrites a resident key. */
    void update(int key);

    void remove(int key);

    Set<Integer> resident();
  }

  static Model of(EvictionPolicy policy, int capacity) {
    return switch (policy) {
      case LRU -> new LinkedModel(capacity, true);
      case FIFO -> new LinkedModel(capacity, false);
      case LFU -> new LfuModel(capacity);
      case ARC -> new ArcModel(capacity);
      case W_TINY_LFU -> throw new IllegalArgumentException();
    };
  }

  /** LRU and FIFO: a linked hash map in access or insertion order. */
  static final class LinkedModel implements Model {
    private final LinkedHashMap<Integer, Boolean> map;

    LinkedModel(int capacity, boolean accessOrder) {
      map = new LinkedHashMap<>(16, 0.75f, accessOrder) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
          return size() > capacity;
        }
      };
    }

    @Override public boolean get(int key) { return map.get(key) != null; }
    @Override public void insert(int key) { map.put(key, true); }
    @Override public void update(int key) { map.put(key, true); }
    @Override public void remove(int key) { map.remove(key); }
    @Override public Set<Integer> resident() { return Set.copyOf(map.keySet()); }
  }

  /** LFU: scan for the lowest frequency, ties to the earliest time that frequency was reached. */
  static final class LfuModel implements Model {
    private final int capacity;
    private final Map<Integer, long[]> entries = new HashMap<>();
    private long clock;

    LfuModel(int capacity) {
      this.capacity = capacity;
    }

    @Override public boolean get(int key) {
      long[] e = entries.get(key);
      if (e == null) {
        return false;
      }
      e[0]++;
      e[1] = clock++;
      return true;
    }

    @Override public void insert(int key) {
      if (entries.size() >= capacity) {
        Integer victim = null;
        long[] worst = null;
        for (Map.Entry<Integer, long[]> e : entries.entrySet()) {
          long[] v = e.getValue();
          if (worst == null || v[0] < worst[0] || (v[0] == worst[0] && v[1] < worst[1])) {
            worst = v;
            victim = e.getKey();
          }
        }
        entries.remove(victim);
      }
      entries.put(key, new long[] {1, clock++});
    }

    @Override public void update(int key) { get(key); }
    @Override public void remove(int key) { entries.remove(key); }
    @Override public Set<Integer> resident() { return Set.copyOf(entries.keySet()); }
  }

  /** ARC as printed in figure 4 of Megiddo and Modha (FAST 2003), over array lists (LRU first). */
  static final class ArcModel implements Model {
    private final int c;
    private final List<Integer> t1 = new ArrayList<>();
    private final List<Integer> t2 = new ArrayList<>();
    private final List<Integer> b1 = new ArrayList<>();
    private final List<Integer> b2 = new ArrayList<>();
    private double p;

    ArcModel(int capacity) {
      this.c = capacity;
    }

    @Override public boolean get(int key) {
      Integer k = key;
      if (t1.remove(k) || t2.remove(k)) {
        t2.add(k);
        return true;
      }
      return false;
    }

    @Override public void insert(int key) {
      Integer x = key;
      if (b1.contains(x)) {
        double delta = b1.size() >= b2.size() ? 1 : (double) b2.size() / b1.size();
        p = Math.min(c, p + delta);
        b1.remove(x);
        replace(false);
        t2.add(x);
      } else if (b2.contains(x)) {
        double delta = b2.size() >= b1.size() ? 1 : (double) b1.size() / b2.size();
        p = Math.max(0, p - delta);
        b2.remove(x);
        replace(true);
        t2.add(x);
      } else {
        int l1 = t1.size() + b1.size();
        int total = l1 + t2.size() + b2.size();
        if (l1 == c) {
          if (t1.size() < c) {
            b1.remove(0);
            replace(false);
          } else {
            t1.remove(0);
          }
        } else if (total >= c) {
          if (total == 2 * c) {
            b2.remove(0);
          }
          replace(false);
        }
        t1.add(x);
      }
    }

    private void replace(boolean inB2) {
      if (t1.size() + t2.size() < c) {
        return;
      }
      if (!t1.isEmpty() && (t1.size() > p || (inB2 && t1.size() == p) || t2.isEmpty())) {
        b1.add(t1.remove(0));
      } else {
        b2.add(t2.remove(0));
      }
    }

    @Override public void update(int key) { get(key); }

    @Override public void remove(int key) {
      Integer k = key;
      if (!t1.remove(k)) {
        t2.remove(k);
      }
    }

    @Override public Set<Integer> resident() {
      Set<Integer> all = new HashSet<>(t1);
      all.addAll(t2);
      return Set.copyOf(all);
    }
  }
}
