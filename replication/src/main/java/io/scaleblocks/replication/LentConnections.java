package io.scaleblocks.replication;

import java.sql.Connection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The physical connections a node lent and has not got back, so that they can be aborted when
 * the node goes down. A fixed array of slots, sized to the pool, takes each one without
 * allocating or hashing (a connection in use sits in the first free slot, found by a scan and
 * a compare-and-set); past that, a concurrent set takes the rest. Adding and removing are O(slots)
 * in the worst case, with slots the pool size. Thread-safe and lock-free.
 */
final class LentConnections {

  private final AtomicReferenceArray<Connection> slots;
  private final Set<Connection> overflow = ConcurrentHashMap.newKeySet();
  /** Whether the overflow may hold anything: read before each removal, which is then skipped. */
  private volatile boolean overflowUsed;

  LentConnections(int slots) {
    this.slots = new AtomicReferenceArray<>(slots);
  }

  void add(Connection c) {
    for (int i = 0; i < slots.length(); i++) {
      if (slots.get(i) == null && slots.compareAndSet(i, null, c)) {
        return;
      }
    }
    overflowUsed = true;
    overflow.add(c);
  }

  void remove(Connection c) {
    for (int i = 0; i < slots.length(); i++) {
      if (slots.get(i) == c && slots.compareAndSet(i, c, null)) {
        return;
      }
    }
    if (overflowUsed) {
      overflow.remove(c);
    }
  }

  /** Removes every connection and hands each to {@code action}, once. */
  void drain(Consumer<Connection> action) {
    for (int i = 0; i < slots.length(); i++) {
      Connection c = slots.getAndSet(i, null);
      if (c != null) {
        action.accept(c);
      }
    }
    for (Connection c : overflow) {
      if (overflow.remove(c)) {
        action.accept(c);
      }
    }
  }
}
