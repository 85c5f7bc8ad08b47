package io.scaleblocks.sharding;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link HotKeyDetector} over a count-min sketch of an exact sliding window; see the interface.
 *
 * <p>Every access adds one to four counters and, once the window is full, subtracts the access it
 * pushes out of the window (kept in a ring of hashes), so the sketch always counts exactly the
 * last N accesses. A key becomes a candidate at an access that finds its estimate at or above the
 * hot threshold; reports check the candidates only (and drop those that cooled), so nothing scans
 * the sketch.
 */
/*
 * G. Cormode, S. Muthukrishnan, "An Improved Data Stream Summary: The Count-Min Sketch and its
 * Applications", J. Algorithms 2005: with d rows of w counters an estimate exceeds the true count
 * by more than e*N/w with probability at most e^-d. Heavy hitters via a sketch plus a candidate
 * set, as in section 5.1 of that paper; the window uses the "sketch with expiry ring" idea of
 * exact sliding windows.
 */
final class SlidingCountMinDetector<K> implements HotKeyDetector<K> {

  private static final int DEPTH = 4;

  private final int window;
  private final double share;
  private final int reportEvery;
  private final int mask;
  private final int rowShift;
  private final int[] counters;
  private final long[] ring;
  private final AtomicLong recorded = new AtomicLong();
  private final Map<K, Long> candidates = new ConcurrentHashMap<>();
  private final HotKeyDetector.Listener<K> listener;
  private final ReentrantLock reportLock = new ReentrantLock();
  private Set<K> reportedHot = Set.of();

  SlidingCountMinDetector(HotKeyDetector.Builder<K> builder) {
    this.window = builder.window;
    this.share = builder.share;
    this.reportEvery = builder.reportEvery;
    this.mask = builder.sketchWidth - 1;
    this.rowShift = Integer.numberOfTrailingZeros(builder.sketchWidth);
    this.counters = new int[DEPTH << rowShift];
    this.ring = new long[window];
    this.listener = builder.listener;
  }

  @Override
  public void record(K key) {
    record(key, Objects.requireNonNull(key, "key must not be null").hashCode());
  }

  @Override
  public void record(K key, long keyHash) {
    Objects.requireNonNull(key, "key must not be null");
    long h = Hashing.mix(keyHash) | 1;
    long position = recorded.getAndIncrement();
    int slot = (int) (position % window);
    long expired = ring[slot];
    ring[slot] = h;
    if (expired != 0) {
      add(expired, -1);
    }
    int estimate = add(h, 1);
    if (estimate >= threshold(Math.min(position + 1, window)) && !candidates.containsKey(key)) {
      candidates.put(key, h);
    }
    if ((position + 1) % reportEvery == 0 && listener != null) {
      report();
    }
  }

  private int add(long h, int delta) {
    int min = Integer.MAX_VALUE;
    for (int row = 0; row < DEPTH; row++) {
      int index = (row << rowShift) | (int) (h >>> (16 * row)) & mask;
      int value = counters[index] += delta;
      min = Math.min(min, value);
    }
    return min;
  }

  private int estimate(long h) {
    int min = Integer.MAX_VALUE;
    for (int row = 0; row < DEPTH; row++) {
      min = Math.min(min, counters[(row << rowShift) | (int) (h >>> (16 * row)) & mask]);
    }
    return min;
  }

  private int threshold(long windowCount) {
    return (int) Math.max(1, Math.ceil(share * windowCount));
  }

  @Override
  public long windowCount() {
    return Math.min(recorded.get(), window);
  }

  @Override
  public List<HotKey<K>> hotKeys() {
    long total = windowCount();
    int threshold = threshold(total);
    List<HotKey<K>> hot = new ArrayList<>();
    for (Map.Entry<K, Long> candidate : candidates.entrySet()) {
      int count = estimate(candidate.getValue());
      if (count >= threshold) {
        hot.add(new HotKey<>(candidate.getKey(), count, (double) count / total));
      } else {
        candidates.remove(candidate.getKey(), candidate.getValue());
      }
    }
    hot.sort(Comparator.comparingLong((HotKey<K> k) -> k.count()).reversed());
    return hot;
  }

  private void report() {
    if (!reportLock.tryLock()) {
      return;
    }
    try {
      List<HotKey<K>> hot = hotKeys();
      Set<K> now = new HashSet<>();
      for (HotKey<K> key : hot) {
        now.add(key.key());
        if (!reportedHot.contains(key.key())) {
          listener.becameHot(key);
        }
      }
      for (K key : reportedHot) {
        if (!now.contains(key)) {
          listener.cooledDown(key);
        }
      }
      reportedHot = now;
    } finally {
      reportLock.unlock();
    }
  }
}
