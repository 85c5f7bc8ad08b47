package io.scaleblocks.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

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
 * when its bucket comes due. Thread-safe: one lock, taken by a create, a rotation and the sweep.
 */
final class ExpiryBuckets<K> {

  private final long widthMillis;
  private final ReentrantLock lock = new ReentrantLock();
  private final TreeMap<Long, List<K>> buckets = new TreeMap<>();

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
    } finally {
      lock.unlock();
    }
    return due;
  }

  /** Keys filed, for tests. */
  int size() {
    lock.lock();
    try {
      return buckets.values().stream().mapToInt(List::size).sum();
    } finally {
      lock.unlock();
    }
  }

  void clear() {
    lock.lock();
    try {
      buckets.clear();
    } finally {
      lock.unlock();
    }
  }
}
