package io.scaleblocks.queue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/** Topics in lists and groups without a journal: the in-memory backend. Lost when the JVM stops. */
final class MemoryStorage implements Storage {

  @Override
  public TopicLog openTopic(String topic) {
    return new MemoryTopicLog();
  }

  @Override
  public GroupJournal openGroup(String topic, String group) {
    return new NoJournal();
  }

  @Override
  public List<String> existingTopics() {
    return List.of();
  }

  @Override
  public List<String> existingGroups(String topic) {
    return List.of();
  }

  @Override
  public List<SkippedRecords> skipped() {
    return List.of();
  }

  @Override
  public void skippedHandled() {}

  @Override
  public void close() {}

  /** Records in a list; the prefix every group is done with is dropped in chunks. */
  static final class MemoryTopicLog implements TopicLog {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private ArrayList<StoredRecord> records = new ArrayList<>();
    private long base;
    private volatile long end;

    @Override
    public long append(List<byte[]> payloads, DeadLetter deadLetter, long timestampMillis) {
      lock.writeLock().lock();
      try {
        long first = base + records.size();
        long offset = first;
        for (byte[] payload : payloads) {
          records.add(new StoredRecord(offset++, timestampMillis, payload.clone(), deadLetter, false));
        }
        end = offset;
        return first;
      } finally {
        lock.writeLock().unlock();
      }
    }

    @Override
    public void sync(long endOffset) {}

    @Override
    public long start() {
      lock.readLock().lock();
      try {
        return base;
      } finally {
        lock.readLock().unlock();
      }
    }

    @Override
    public long end() {
      return end;
    }

    @Override
    public StoredRecord read(long offset) {
      lock.readLock().lock();
      try {
        return records.get((int) (offset - base));
      } finally {
        lock.readLock().unlock();
      }
    }

    @Override
    public void releaseBelow(long offset) {
      lock.writeLock().lock();
      try {
        int drop = (int) Math.min(records.size(), offset - base);
        if (drop > 4096 || drop == records.size()) {
          records = new ArrayList<>(records.subList(drop, records.size()));
          base += drop;
        }
      } finally {
        lock.writeLock().unlock();
      }
    }

    @Override
    public void close() {}
  }

  /** Progress kept only in the group's own state. */
  static final class NoJournal implements GroupJournal {
    private long sequence;

    @Override
    public GroupSnapshot load() {
      return new GroupSnapshot(0, 0, new TreeSet<>(), new HashMap<>());
    }

    @Override
    public void cursor(long next) {}

    @Override
    public void redelivered(long offset, int count) {}

    @Override
    public long acked(long from, long to) {
      return ++sequence;
    }

    @Override
    public void sync(long sequence) {}

    @Override
    public void compactIfLarge(Supplier<GroupSnapshot> state) {}

    @Override
    public void close() {}
  }
}
