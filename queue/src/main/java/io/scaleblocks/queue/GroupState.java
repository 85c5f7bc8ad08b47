package io.scaleblocks.queue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One consumer group of one topic: which offsets are delivered, leased, due again or done.
 *
 * <p>Every offset below {@code floor} is done (acknowledged, dead-lettered or skipped); above it,
 * {@code done} holds those done out of order. {@code pending} holds every delivered offset that
 * is not done, with its delivery count and the time it becomes deliverable again (the end of its
 * lease, or of a nack's delay). The first deliveries of one poll share one lease end, so they are
 * kept as one {@code Batch} in {@code fresh} (in poll order, so in lease-end order) instead of an
 * entry each in {@code due}, which holds every other pending entry ordered by that time (an ack
 * removes its entry, so it stays as large as what is in flight); a batch whose lease ends moves
 * what it still holds into {@code due}. Offsets from {@code cursor} on have never been delivered.
 *
 * <p>Thread-safe: every method takes the group's lock; the journal is written under it and synced
 * after it is released.
 */
final class GroupState {

  private final String topic;
  private final String group;
  private final GroupJournal journal;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<Long, Pending> pending = new HashMap<>();
  private final NavigableSet<Due> due = new TreeSet<>();
  private final NavigableSet<Long> done = new TreeSet<>();
  private final ArrayDeque<Batch> fresh = new ArrayDeque<>();
  private long cursor;
  private volatile long floor;

  private static final class Pending {
    int deliveries;
    long visibleAt;
    String lastOutcome;
    /** Tracked by its {@link Batch} in {@code fresh}, not by an entry in {@code due}. */
    boolean inBatch;

    Pending(int deliveries, long visibleAt, String lastOutcome) {
      this.deliveries = deliveries;
      this.visibleAt = visibleAt;
      this.lastOutcome = lastOutcome;
    }
  }

  /** The first deliveries {@code [from, to)} of one poll, leased until {@code visibleAt}. */
  private record Batch(long visibleAt, long from, long to) {}

  private record Due(long visibleAt, long offset) implements Comparable<Due> {
    @Override
    public int compareTo(Due o) {
      int c = Long.compare(visibleAt, o.visibleAt);
      return c != 0 ? c : Long.compare(offset, o.offset);
    }
  }

  /** A delivery chosen by {@link #lease}, or a message to dead-letter. */
  record Lease(long offset, int deliveries, String deadLetterReason) {}

  GroupState(String topic, String group, GroupJournal journal, long logStart) {
    this.topic = topic;
    this.group = group;
    this.journal = journal;
    GroupSnapshot s = journal.load();
    floor = Math.max(s.floor(), logStart);
    cursor = Math.max(s.cursor(), floor);
    done.addAll(s.done().tailSet(floor, true));
    for (long offset = floor; offset < cursor; offset++) {
      if (!done.contains(offset)) {
        // Whoever held the lease died with the process: deliverable again at once.
        int count = s.counts().getOrDefault(offset, 1);
        pending.put(offset, new Pending(count, Long.MIN_VALUE, "lease lost when the queue stopped"));
        due.add(new Due(Long.MIN_VALUE, offset));
      }
    }
    advanceFloor();
  }

  String group() {
    return group;
  }

  long floor() {
    return floor;
  }

  /**
   * Leases up to {@code max} offsets: due redeliveries first, then new offsets below {@code end}.
   * Offsets past their last allowed delivery come back with a dead-letter reason instead; the
   * caller dead-letters them and then calls {@link #markDone}.
   */
  List<Lease> lease(int max, long end, long now, long leaseMillis, int maxDeliveries) {
    List<Lease> out = new ArrayList<>(Math.min(max, 1024));
    lock.lock();
    try {
      expireBatches(now);
      while (out.size() < max && !due.isEmpty() && due.first().visibleAt <= now) {
        Due d = due.pollFirst();
        Pending p = pending.get(d.offset);
        if (p == null || p.visibleAt != d.visibleAt) {
          continue;
        }
        if (p.deliveries >= maxDeliveries) {
          p.visibleAt = Long.MAX_VALUE;
          out.add(new Lease(d.offset, p.deliveries, "delivered " + p.deliveries
              + " times (max deliveries " + maxDeliveries + "), last: " + p.lastOutcome));
          continue;
        }
        p.deliveries++;
        p.visibleAt = now + leaseMillis;
        p.lastOutcome = "visibility timeout expired";
        due.add(new Due(p.visibleAt, d.offset));
        journal.redelivered(d.offset, p.deliveries);
        out.add(new Lease(d.offset, p.deliveries, null));
      }
      long first = cursor;
      long visibleAt = now + leaseMillis;
      // a clock that stepped back would put this batch's end before the last one's: keep order
      boolean batch = fresh.isEmpty() || fresh.peekLast().visibleAt() <= visibleAt;
      while (out.size() < max && cursor < end) {
        long offset = cursor++;
        Pending p = new Pending(1, visibleAt, "visibility timeout expired");
        p.inBatch = batch;
        pending.put(offset, p);
        if (!batch) {
          due.add(new Due(visibleAt, offset));
        }
        out.add(new Lease(offset, 1, null));
      }
      if (cursor != first) {
        if (batch) {
          fresh.addLast(new Batch(visibleAt, first, cursor));
        }
        journal.cursor(cursor);
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  /** Moves a lease forward to the first offset the log holds (segments below it are gone). */
  void skipTo(long logStart) {
    lock.lock();
    try {
      if (cursor < logStart) {
        cursor = logStart;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks offsets done and journals it; returns the journal sequence to sync, or -1 when every
   * offset was already done. Offsets never delivered to this group are ignored.
   */
  long markDone(long[] offsets) {
    lock.lock();
    try {
      long[] newlyDone = new long[offsets.length];
      int n = 0;
      for (long offset : offsets) {
        if (offset < floor || offset >= cursor || done.contains(offset)) {
          continue;
        }
        Pending p = pending.remove(offset);
        if (p == null) {
          continue;
        }
        if (!p.inBatch) {
          due.remove(new Due(p.visibleAt, offset));
        }
        newlyDone[n++] = offset;
      }
      if (n == 0) {
        return -1;
      }
      java.util.Arrays.sort(newlyDone, 0, n);
      long f = floor;
      for (int i = 0; i < n; i++) {
        if (newlyDone[i] == f && (done.isEmpty() || done.first() > f)) {
          f++;
        } else {
          done.add(newlyDone[i]);
        }
      }
      floor = f;
      long sequence = -1;
      int from = 0;
      for (int i = 1; i <= n; i++) {
        if (i == n || newlyDone[i] != newlyDone[i - 1] + 1) {
          sequence = journal.acked(newlyDone[from], newlyDone[i - 1] + 1);
          from = i;
        }
      }
      advanceFloor();
      dropDoneBatches();
      journal.compactIfLarge(this::snapshot);
      return sequence;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Gives a lease back: deliverable again at {@code visibleAt}; false if it was not leased, or if
   * {@code deliveries} is not the current delivery (a late nack from an earlier holder whose lease
   * expired: the current holder keeps its lease).
   */
  boolean release(long offset, int deliveries, long visibleAt, String outcome) {
    lock.lock();
    try {
      Pending p = pending.get(offset);
      if (p == null || p.deliveries != deliveries) {
        return false;
      }
      unschedule(offset, p);
      p.visibleAt = visibleAt;
      p.lastOutcome = outcome;
      due.add(new Due(visibleAt, offset));
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Undoes leases that were never handed to a consumer (the poll that took them failed before it
   * returned): each is deliverable again at {@code now}, and the delivery that did not happen does
   * not count; one that was to be dead-lettered and was not is due at {@code now} again, so the next
   * poll dead-letters it. A lease that changed since (acked, released, dead-lettered) is left alone.
   */
  void giveBack(List<Lease> leases, long now) {
    lock.lock();
    try {
      for (Lease lease : leases) {
        Pending p = pending.get(lease.offset());
        if (p == null || p.deliveries != lease.deliveries()) {
          continue;
        }
        if (lease.deadLetterReason() != null) {
          // lease() parked it at Long.MAX_VALUE, in no schedule; anything else is a release since
          if (p.visibleAt == Long.MAX_VALUE) {
            p.visibleAt = now;
            due.add(new Due(now, lease.offset()));
          }
          continue;
        }
        unschedule(lease.offset(), p);
        p.deliveries--;
        p.visibleAt = now;
        due.add(new Due(now, lease.offset()));
      }
    } finally {
      lock.unlock();
    }
  }

  /** When the next redelivery is due, or {@link Long#MAX_VALUE}. */
  long nextDue() {
    lock.lock();
    try {
      dropDoneBatches();
      long next = due.isEmpty() ? Long.MAX_VALUE : due.first().visibleAt;
      return fresh.isEmpty() ? next : Math.min(next, fresh.peekFirst().visibleAt());
    } finally {
      lock.unlock();
    }
  }

  /** Messages not done below {@code end}. */
  long lag(long end) {
    lock.lock();
    try {
      return Math.max(0, end - floor - done.size());
    } finally {
      lock.unlock();
    }
  }

  void sync(long sequence) {
    journal.sync(sequence);
  }

  void close() {
    lock.lock();
    try {
      journal.close();
    } finally {
      lock.unlock();
    }
  }

  /** Takes {@code p} out of its batch or out of {@code due}; the caller schedules it again. */
  private void unschedule(long offset, Pending p) {
    if (p.inBatch) {
      p.inBatch = false;
    } else {
      due.remove(new Due(p.visibleAt, offset));
    }
  }

  /** Moves what the batches whose lease ended at {@code now} still hold into {@code due}. */
  private void expireBatches(long now) {
    dropDoneBatches();
    while (!fresh.isEmpty() && fresh.peekFirst().visibleAt() <= now) {
      Batch b = fresh.pollFirst();
      for (long offset = Math.max(b.from(), floor); offset < b.to(); offset++) {
        Pending p = pending.get(offset);
        if (p != null && p.inBatch) {
          p.inBatch = false;
          due.add(new Due(p.visibleAt, offset));
        }
      }
    }
  }

  /** Drops leading batches every offset of which is done. */
  private void dropDoneBatches() {
    while (!fresh.isEmpty() && fresh.peekFirst().to() <= floor) {
      fresh.pollFirst();
    }
  }

  private void advanceFloor() {
    long f = floor;
    while (!done.isEmpty() && done.first() == f) {
      done.pollFirst();
      f++;
    }
    floor = f;
  }

  private GroupSnapshot snapshot() {
    Map<Long, Integer> counts = new HashMap<>();
    pending.forEach((offset, p) -> {
      if (p.deliveries > 1) {
        counts.put(offset, p.deliveries);
      }
    });
    return new GroupSnapshot(cursor, floor, new TreeSet<>(done), counts);
  }

  @Override
  public String toString() {
    return topic + "/" + group;
  }
}
