package io.scaleblocks.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * When the in-memory store looks at a session again to remove it: keys filed by deadline in
 * buckets {@code widthMillis} wide. A session's deadline only moves later (a touch moves its idle
 * deadline, a rotation its renewal deadline), so a key is filed when its session is created or
 * rotated, under the deadline it had then; when that bucket comes due, the sweep removes the
 * session if it has expired or files the key again under its deadline now. So a find, touch or
 * save never touches this structure, and the sweep looks at a live session about once per idle
 * timeout.
 *
 * <p>A key may stay filed after its session is gone (deleted, rotated away); the sweep drops it
 * when its bucket comes due, or sooner through {@link #dropIf} when such keys have come to
 * outnumber the sessions (with long timeouts, creates and deletes would otherwise file keys
 * without bound). Thread-safe: one lock, taken by a create, a rotation and the sweep, and held by
 * {@link #dropIf} for one bucket at a time.
 */
final class ExpiryBuckets<K> {

  private final long widthMillis;
  private final ReentrantLock lock = new ReentrantLock();
  private final TreeMap<Long, List<K>> buckets = new TreeMap<>();
  /** Keys in all buckets; guarded by {@code lock}. */
  private int filed;

  ExpiryBuckets(long widthMillis) {
    if (widthMillis < 1) {
      throw new IllegalArgumentException("bucket width must be at least 1 ms: " + widthMillis);
    }
    this.widthMillis = widthMillis;
  }

  /** Files {@code key} to be looked at once {@code deadline} (epoch ms) has passed. */
  void file(K key, long deadline) {
    Long bucket = Math.floorDiv(deadline, widthMillis);
    lock.lock();
    try {
      buckets.computeIfAbsent(bucket, b -> new ArrayList<>()).add(key);
      filed++;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes out every key filed under a deadline that may have passed at {@code now}: all of the
   * buckets that start at or before it. Keys whose session turns out to be live must be filed
   * again.
   */
  List<K> takeDue(long now) {
    Long last = Math.floorDiv(now, widthMillis);
    List<K> due = new ArrayList<>();
    lock.lock();
    try {
      Map<Long, List<K>> head = buckets.headMap(last, true);
      head.values().forEach(due::addAll);
      head.clear();
      filed -= due.size();
    } finally {
      lock.unlock();
    }
    return due;
  }

  /**
   * Drops every filed key {@code gone} accepts, taking the lock for one bucket at a time, so that a
   * create or rotation waits for one bucket's walk at most. O(keys filed).
   */
  void dropIf(Predicate<? super K> gone) {
    List<Long> numbers;
    lock.lock();
    try {
      numbers = new ArrayList<>(buckets.keySet());
    } finally {
      lock.unlock();
    }
    for (Long number : numbers) {
      lock.lock();
      try {
        List<K> keys = buckets.get(number);
        if (keys != null) {
          int before = keys.size();
          keys.removeIf(gone);
          filed -= before - keys.size();
          if (keys.isEmpty()) {
            buckets.remove(number);
          }
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** Keys filed, a key filed twice counted twice. */
  int size() {
    lock.lock();
    try {
      return filed;
    } finally {
      lock.unlock();
    }
  }

  void clear() {
    lock.lock();
    try {
      buckets.clear();
      filed = 0;
    } finally {
      lock.unlock();
    }
  }
}
