package io.scaleblocks.queue;

import io.scaleblocks.queue.internal.InFlightBound;
import io.scaleblocks.queue.internal.Names;
import io.scaleblocks.queue.internal.QueueCounters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MessageQueue} protocol over a {@link Storage}: the file log and the in-memory backend
 * are this class over different storage, so they cannot drift apart.
 *
 * <p>Dead-lettering appends to the dead-letter topic first (durably) and then marks the message
 * done in its group: a crash between the two leaves the message in both places, to be
 * dead-lettered again (at least once), never in neither.
 */
final class LocalQueue implements MessageQueue {

  private static final Logger LOG = LoggerFactory.getLogger(LocalQueue.class);

  private final QueueConfig config;
  private final Storage storage;
  private final QueueCounters counters = new QueueCounters();
  private final ConcurrentHashMap<String, TopicState> topics = new ConcurrentHashMap<>();
  private final ReentrantLock topicsLock = new ReentrantLock();
  private final InFlightBound inFlight;
  private volatile boolean closed;

  LocalQueue(QueueConfig config, java.util.function.Function<QueueCounters, Storage> storage) {
    this.config = Objects.requireNonNull(config, "config");
    this.inFlight = new InFlightBound(config);
    this.storage = storage.apply(counters);
    try {
      for (String topic : this.storage.existingTopics()) {
        topic(topic);
      }
      deadLetterSkipped();
    } catch (RuntimeException e) {
      this.storage.close();
      throw e;
    }
  }

  private void deadLetterSkipped() {
    for (Storage.SkippedRecords s : storage.skipped()) {
      TopicState dlq = topic(MessageQueue.deadLetterTopic(s.topic()));
      for (long offset = s.from(); offset < s.to(); offset++) {
        dlq.publish(List.of(new byte[0]),
            new DeadLetter(s.topic(), Long.toString(offset), "*", 0, s.reason()), false);
        counters.deadLettered.increment();
      }
    }
    storage.skippedHandled();
  }

  @Override
  public String publish(String topic, byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    return Long.toString(topicForPublish(topic).publish(List.of(payload), null, true));
  }

  @Override
  public List<String> publishAll(String topic, List<byte[]> payloads) {
    payloads.forEach(p -> Objects.requireNonNull(p, "payload"));
    if (payloads.isEmpty()) {
      return List.of();
    }
    long first = topicForPublish(topic).publish(payloads, null, true);
    List<String> ids = new ArrayList<>(payloads.size());
    for (int i = 0; i < payloads.size(); i++) {
      ids.add(Long.toString(first + i));
    }
    return ids;
  }

  @Override
  public CompletableFuture<String> publishAsync(String topic, byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    return appendAsync(topic, List.of(payload)).thenApply(offset -> Long.toString(offset));
  }

  @Override
  public CompletableFuture<List<String>> publishAllAsync(String topic, List<byte[]> payloads) {
    payloads.forEach(p -> Objects.requireNonNull(p, "payload"));
    if (payloads.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    int n = payloads.size();
    return appendAsync(topic, payloads).thenApply(first -> {
      List<String> ids = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        ids.add(Long.toString(first + i));
      }
      return ids;
    });
  }

  /** Takes the in-flight permits, appends, and gives them back when the batch is durable or failed. */
  private CompletableFuture<Long> appendAsync(String topic, List<byte[]> payloads) {
    TopicState t = topicForPublish(topic);
    int n = payloads.size();
    inFlight.acquire(topic, n);
    CompletableFuture<Long> first;
    try {
      first = t.publishAsync(payloads);
    } catch (RuntimeException | Error e) {
      inFlight.release(n);
      throw e;
    }
    return first.whenComplete((offset, failure) -> inFlight.release(n));
  }

  private TopicState topicForPublish(String topic) {
    TopicState known = topics.get(Objects.requireNonNull(topic, "topic"));
    if (known != null && !closed) {
      return known;
    }
    Names.checkTopic(topic);
    checkOpen();
    return topic(topic);
  }

  @Override
  public List<Message> poll(String topic, String group, String consumer, int max, Duration wait) {
    Names.checkTopic(topic);
    Names.check("group", group);
    Names.check("consumer", consumer);
    Names.checkMax(max);
    Objects.requireNonNull(wait, "wait");
    TopicState t = topic(topic);
    GroupState g = t.group(group);
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      long seen = t.version();
      List<Message> messages = leaseOnce(t, g, max);
      long remaining = deadline - System.nanoTime();
      if (!messages.isEmpty() || remaining <= 0) {
        return messages;
      }
      long untilDue = g.nextDue() - config.clock().millis();
      t.await(seen, Math.min(remaining, TopicState.toNanos(Math.max(1, untilDue))));
    }
  }

  private List<Message> leaseOnce(TopicState t, GroupState g, int max) {
    checkOpen();
    g.skipTo(t.log().start());
    long now = config.clock().millis();
    List<GroupState.Lease> leases = g.lease(max, t.log().end(), now,
        config.visibilityTimeout().toMillis(), config.maxDeliveries());
    List<Message> messages = new ArrayList<>(leases.size());
    boolean floorMoved = false;
    try {
      for (GroupState.Lease lease : leases) {
        StoredRecord r = t.log().read(lease.offset());
        if (lease.deadLetterReason() != null) {
          deadLetter(t, g, r, lease, now);
          floorMoved = true;
        } else if (r.skipped()) {
          g.markDone(new long[] {lease.offset()});
          floorMoved = true;
        } else {
          messages.add(new Message(t.name(), g.group(), Long.toString(r.offset()), r.payload(),
              lease.deliveries(), r.timestampMillis(), r.deadLetter()));
        }
      }
    } catch (RuntimeException e) {
      // Nothing of this poll reaches a consumer: no lease it took may stay out until it expires.
      g.giveBack(leases, now);
      if (floorMoved) {
        t.floorAdvanced();
      }
      t.signal();
      throw e;
    }
    for (Message m : messages) {
      if (m.deliveryCount() > 1) {
        counters.redelivered.increment();
      }
    }
    counters.delivered.add(messages.size());
    if (floorMoved) {
      t.floorAdvanced();
    }
    return messages;
  }

  private void deadLetter(TopicState t, GroupState g, StoredRecord r, GroupState.Lease lease,
      long now) {
    String id = Long.toString(lease.offset());
    try {
      topic(MessageQueue.deadLetterTopic(t.name())).publish(List.of(r.payload()),
          new DeadLetter(t.name(), id, g.group(), lease.deliveries(), lease.deadLetterReason()),
          false);
    } catch (RuntimeException e) {
      g.release(lease.offset(), lease.deliveries(), now, "dead-lettering failed: " + e.getMessage());
      throw e;
    }
    long sequence = g.markDone(new long[] {lease.offset()});
    if (sequence >= 0) {
      g.sync(sequence);
    }
    counters.deadLettered.increment();
    LOG.debug("{} - {}/{} message {} dead-lettered: {}", config.name(), t.name(), g.group(), id,
        lease.deadLetterReason());
  }

  @Override
  public void ack(Message message) {
    ackAll(List.of(message));
  }

  @Override
  public void ackAll(List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    checkOpen();
    if (oneGroup(messages)) {
      ackSameGroup(messages);
      return;
    }
    Map<String, List<Message>> byGroup = new HashMap<>();
    for (Message m : messages) {
      byGroup.computeIfAbsent(m.topic() + "\u0000" + m.group(), k -> new ArrayList<>()).add(m);
    }
    byGroup.values().forEach(this::ackSameGroup);
  }

  /** The common case, a poll's batch acknowledged at once, needs no grouping. */
  private static boolean oneGroup(List<Message> messages) {
    Message first = messages.get(0);
    for (Message m : messages) {
      if (!m.topic().equals(first.topic()) || !m.group().equals(first.group())) {
        return false;
      }
    }
    return true;
  }

  private void ackSameGroup(List<Message> same) {
    TopicState t = topics.get(same.get(0).topic());
    GroupState g = t == null ? null : t.existingGroup(same.get(0).group());
    if (g == null) {
      return;
    }
    long[] offsets = new long[same.size()];
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = offsetOf(same.get(i));
    }
    long floorBefore = g.floor();
    long sequence = g.markDone(offsets);
    if (sequence >= 0) {
      g.sync(sequence);
      counters.acked.add(offsets.length);
    }
    if (g.floor() != floorBefore) {
      t.floorAdvanced();
    }
  }

  @Override
  public void nack(Message message, Duration redeliverAfter, String reason) {
    Objects.requireNonNull(redeliverAfter, "redeliverAfter");
    Objects.requireNonNull(reason, "reason");
    if (redeliverAfter.isNegative()) {
      throw new IllegalArgumentException("redeliver after must be >= 0 but was " + redeliverAfter);
    }
    checkOpen();
    TopicState t = topics.get(message.topic());
    GroupState g = t == null ? null : t.existingGroup(message.group());
    if (g != null && g.release(offsetOf(message), message.deliveryCount(),
        visibleAfter(config.clock().millis(), redeliverAfter), reason)) {
      t.signal();
    }
  }

  /**
   * {@code now + delay}, saturated: a delay too long for a {@code long} of milliseconds means
   * "not before the end of time" rather than a wrapped, negative instant that redelivers at once.
   */
  static long visibleAfter(long now, Duration delay) {
    long millis;
    try {
      millis = delay.toMillis();
    } catch (ArithmeticException e) {
      millis = Long.MAX_VALUE;
    }
    // Long.MAX_VALUE itself marks a lease being dead-lettered; stay one below it.
    return millis >= Long.MAX_VALUE - 1 - now ? Long.MAX_VALUE - 1 : now + millis;
  }

  private static long offsetOf(Message m) {
    try {
      return Long.parseLong(m.id());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("message id '" + m.id() + "' is not one of this queue's", e);
    }
  }

  @Override
  public long lag(String topic, String group) {
    TopicState t = topics.get(topic);
    GroupState g = t == null ? null : t.existingGroup(group);
    return g == null ? 0 : g.lag(t.log().end());
  }

  @Override
  public List<String> groups(String topic) {
    TopicState t = topics.get(topic);
    return t == null ? List.of() : t.groupNames();
  }

  /** The topics this queue holds. */
  List<String> topics() {
    return new ArrayList<>(topics.keySet());
  }

  @Override
  public QueueStats stats() {
    return counters.snapshot();
  }

  @Override
  public String name() {
    return config.name();
  }

  QueueConfig config() {
    return config;
  }

  private TopicState topic(String topic) {
    TopicState t = topics.get(topic);
    if (t != null) {
      return t;
    }
    topicsLock.lock();
    try {
      checkOpen();
      return topics.computeIfAbsent(topic, n -> new TopicState(n, storage, config, counters));
    } finally {
      topicsLock.unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(config.name() + " - the queue is closed");
    }
  }

  @Override
  public void close() {
    topicsLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (TopicState t : topics.values()) {
        try {
          t.close();
        } catch (RuntimeException e) {
          LOG.warn("{} - closing topic '{}' failed", config.name(), t.name(), e);
        }
      }
      storage.close();
    } finally {
      topicsLock.unlock();
    }
  }
}
