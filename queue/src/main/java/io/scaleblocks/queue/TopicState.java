package io.scaleblocks.queue;

import io.scaleblocks.queue.internal.QueueCounters;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One topic of a {@link LocalQueue}: its log, its groups, the bound on what it holds, and the
 * signal that wakes waiting consumers and blocked producers.
 *
 * <p>Thread-safe. Appends are serialised by {@code appendLock}; the sync that makes them durable
 * runs after it is released, so producers that arrive meanwhile append and share the next sync.
 */
final class TopicState {

  private final String name;
  private final TopicLog log;
  private final Storage storage;
  private final QueueConfig config;
  private final QueueCounters counters;
  private final ConcurrentHashMap<String, GroupState> groups = new ConcurrentHashMap<>();
  private final ReentrantLock appendLock = new ReentrantLock();
  private final ReentrantLock groupsLock = new ReentrantLock();
  private final ReentrantLock signalLock = new ReentrantLock();
  private final Condition changed = signalLock.newCondition();
  private final AtomicLong version = new AtomicLong();
  private volatile int waiters;
  private long appendedEnd;
  /** Set by {@link #close} under {@code appendLock}: no append reaches a closed log. */
  private boolean closed;
  private volatile long minFloor;

  TopicState(String name, Storage storage, QueueConfig config, QueueCounters counters) {
    this.name = name;
    this.storage = storage;
    this.config = config;
    this.counters = counters;
    this.log = storage.openTopic(name);
    this.appendedEnd = log.end();
    this.minFloor = log.start();
    for (String group : storage.existingGroups(name)) {
      group(group);
    }
  }

  String name() {
    return name;
  }

  TopicLog log() {
    return log;
  }

  /**
   * Appends, waits for durability, wakes consumers; returns the first offset. A user's publish is
   * {@code bounded} (and counted as published); a dead letter is neither.
   */
  long publish(List<byte[]> payloads, DeadLetter deadLetter, boolean bounded) {
    checkSizes(payloads);
    long first = appendWithRoom(payloads, deadLetter, bounded, null);
    long end = first + payloads.size();
    log.sync(end);
    if (bounded) {
      counters.published.add(payloads.size());
    }
    signal();
    return first;
  }

  /**
   * Appends a user's publish on the caller's thread (bounded, as {@link #publish}) and returns a
   * future of its first offset, completed once the batch is durable; consumers are woken then.
   */
  CompletableFuture<Long> publishAsync(List<byte[]> payloads) {
    checkSizes(payloads);
    AtomicReference<CompletableFuture<Void>> durable = new AtomicReference<>();
    long first = appendWithRoom(payloads, null, true, end -> durable.set(log.syncAsync(end)));
    return durable.get().thenApply(ignored -> {
      counters.published.add(payloads.size());
      signal();
      return first;
    });
  }

  private void checkSizes(List<byte[]> payloads) {
    for (byte[] payload : payloads) {
      if (payload.length > config.maxMessageBytes()) {
        throw new RecordTooLargeException(config.name() + " - a message of " + payload.length
            + " bytes for topic '" + name + "' is over the limit of " + config.maxMessageBytes()
            + " bytes (max-message-bytes)");
      }
    }
  }

  /**
   * Appends once the bound leaves room; {@code appended} (if any) is called with the end offset
   * under the append lock, so that it sees appends in offset order.
   */
  private long appendWithRoom(List<byte[]> payloads, DeadLetter deadLetter, boolean bounded,
      java.util.function.LongConsumer appended) {
    long max = bounded ? config.maxPendingMessages() : 0;
    long deadline = 0;
    while (true) {
      long seen = version.get();
      appendLock.lock();
      try {
        if (closed) {
          throw new IllegalStateException(config.name() + " - the queue is closed");
        }
        if (max == 0 || appendedEnd - minFloor + payloads.size() <= max) {
          long first = log.append(payloads, deadLetter, config.clock().millis());
          appendedEnd = first + payloads.size();
          if (appended != null) {
            appended.accept(appendedEnd);
          }
          return first;
        }
        if (payloads.size() > max) {
          throw new QueueFullException(config.name() + " - a batch of " + payloads.size()
              + " messages can never fit topic '" + name + "', bounded to " + max);
        }
      } finally {
        appendLock.unlock();
      }
      if (deadline == 0) {
        deadline = System.nanoTime() + config.publishTimeout().toNanos();
      }
      long remaining = deadline - System.nanoTime();
      if (config.backPressure() == BackPressure.FAIL || remaining <= 0) {
        throw new QueueFullException(config.name() + " - topic '" + name + "' holds "
            + max + " unacknowledged messages (max-pending-messages)"
            + (config.backPressure() == BackPressure.BLOCK
                ? " and stayed full for " + config.publishTimeout() : ""));
      }
      await(seen, remaining);
    }
  }

  /** The group, created at the oldest offset the log holds if it is new. */
  GroupState group(String group) {
    GroupState state = groups.get(group);
    if (state != null) {
      return state;
    }
    groupsLock.lock();
    try {
      GroupState created = groups.computeIfAbsent(group,
          g -> new GroupState(name, g, storage.openGroup(name, g), log.start()));
      // a new group can start below the others: the bound counts what it has not acknowledged
      minFloor = Math.min(minFloor, created.floor());
      return created;
    } finally {
      groupsLock.unlock();
    }
  }

  List<String> groupNames() {
    return new ArrayList<>(groups.keySet());
  }

  GroupState existingGroup(String group) {
    return groups.get(group);
  }

  /** Drops segments every group is done with and wakes producers waiting for room. */
  void floorAdvanced() {
    groupsLock.lock();
    try {
      long min = Long.MAX_VALUE;
      for (GroupState g : groups.values()) {
        min = Math.min(min, g.floor());
      }
      if (min != Long.MAX_VALUE && min != minFloor) {
        minFloor = min;
        log.releaseBelow(min);
      }
    } finally {
      groupsLock.unlock();
    }
    signal();
  }

  long version() {
    return version.get();
  }

  /** Waits until the topic changes after {@code seen}, or {@code nanos} pass. */
  void await(long seen, long nanos) {
    signalLock.lock();
    try {
      waiters++;
      long left = nanos;
      while (version.get() == seen && left > 0) {
        left = changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueException(config.name() + " - interrupted while waiting on topic '" + name + "'", e);
    } finally {
      waiters--;
      signalLock.unlock();
    }
  }

  /** Bumps the version before it reads {@code waiters}; a waiter does the reverse: no lost wakeup. */
  void signal() {
    version.incrementAndGet();
    if (waiters == 0) {
      return;
    }
    signalLock.lock();
    try {
      changed.signalAll();
    } finally {
      signalLock.unlock();
    }
  }

  /** For timing out a waiting consumer's sleep: nothing changed, but waiting is over. */
  static long toNanos(long millis) {
    return millis >= Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(millis);
  }

  void close() {
    for (GroupState g : groups.values()) {
      g.close();
    }
    appendLock.lock();
    try {
      closed = true;
      log.close();
    } finally {
      appendLock.unlock();
    }
    signal();
  }
}
