package io.scaleblocks.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link MessageQueue} contract, run against every backend by one subclass each. Subclasses
 * open a queue from a config and make time pass (a fake clock, or real time on Redis).
 */
public abstract class MessageQueueContract {

  protected static final Duration NO_WAIT = Duration.ZERO;
  private final List<MessageQueue> opened = new ArrayList<>();

  protected MessageQueueContract() {}

  /** A fresh, empty queue with {@code config}; topics are unique per test. */
  protected abstract MessageQueue create(QueueConfig config);

  /** The clock the queue is built with. */
  protected abstract QueueConfig.Builder config();

  /** Lets {@code d} pass for the queue's leases. */
  protected abstract void passTime(Duration d);

  /** A visibility timeout short enough to wait out. */
  protected Duration visibility() {
    return Duration.ofSeconds(30);
  }

  protected String topic() {
    return "t" + Long.toHexString(System.nanoTime());
  }

  protected MessageQueue queue(QueueConfig config) {
    MessageQueue q = create(config);
    opened.add(q);
    return q;
  }

  protected MessageQueue queue() {
    return queue(config().visibilityTimeout(visibility()).build());
  }

  /**
   * Makes the next writes of {@code topic} on {@code q} fail to become durable (an fsync error, a
   * Redis error reply); false on a backend where nothing can fail (memory).
   */
  protected boolean failDurableWrites(MessageQueue q, String topic) {
    return false;
  }

  @AfterEach
  void closeQueues() {
    opened.forEach(MessageQueue::close);
  }

  protected static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  protected static String text(Message m) {
    return new String(m.payload(), UTF_8);
  }

  protected static List<String> texts(List<Message> ms) {
    return ms.stream().map(MessageQueueContract::text).toList();
  }

  /** Polls until {@code n} messages came or a few seconds passed. */
  protected static List<Message> pollN(MessageQueue q, String topic, String group, int n) {
    List<Message> out = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (out.size() < n && System.nanoTime() < deadline) {
      out.addAll(q.poll(topic, group, "c1", n - out.size(), Duration.ofMillis(100)));
    }
    return out;
  }

  /**
   * A poll waiting on an empty topic whose thread is interrupted ends within a second with a
   * {@link QueueException} (on Redis once the {@code XREADGROUP} out, at most 1 s, answers), the
   * thread still interrupted, instead of waiting out the rest of its wait.
   */
  @Test
  void anInterruptedPollEndsSoonWithAQueueExceptionAndTheThreadStillInterrupted() throws Exception {
    MessageQueue q = queue();
    String t = topic();
    q.poll(t, "g", "c1", 1, NO_WAIT);
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    Thread poller = new Thread(() -> {
      try {
        outcome.complete(q.poll(t, "g", "c1", 1, Duration.ofSeconds(20)));
      } catch (RuntimeException e) {
        outcome.complete(Thread.currentThread().isInterrupted() ? e : "not interrupted any more: " + e);
      }
    });
    poller.start();
    Thread.sleep(200);
    long start = System.nanoTime();
    poller.interrupt();
    Object result = outcome.get(10, TimeUnit.SECONDS);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertInstanceOf(QueueException.class, result, String.valueOf(result));
    assertTrue(millis < 1_500, "the poll ended " + millis + " ms after the interrupt");
  }

  @Test
  void publishReturnsDistinctIdsAndAGroupReceivesInPublishOrder() {
    MessageQueue q = queue();
    String t = topic();
    String a = q.publish(t, bytes("a"));
    List<String> ids = q.publishAll(t, List.of(bytes("b"), bytes("c")));
    List<Message> got = pollN(q, t, "g", 3);
    assertEquals(List.of("a", "b", "c"), texts(got));
    assertEquals(List.of(a, ids.get(0), ids.get(1)), got.stream().map(Message::id).toList());
    assertEquals(3, new HashSet<>(got.stream().map(Message::id).toList()).size());
    got.forEach(m -> assertEquals(1, m.deliveryCount()));
    got.forEach(m -> assertEquals(t, m.topic()));
    got.forEach(m -> assertEquals("g", m.group()));
  }

  @Test
  void everyGroupReceivesEveryMessage() {
    MessageQueue q = queue();
    String t = topic();
    q.publishAll(t, List.of(bytes("1"), bytes("2")));
    assertEquals(List.of("1", "2"), texts(pollN(q, t, "billing", 2)));
    assertEquals(List.of("1", "2"), texts(pollN(q, t, "audit", 2)));
    assertTrue(q.groups(t).containsAll(List.of("billing", "audit")));
  }

  @Test
  void withinAGroupAMessageIsLeasedToOneConsumerAtATime() {
    MessageQueue q = queue();
    String t = topic();
    for (int i = 0; i < 10; i++) {
      q.publish(t, bytes("m" + i));
    }
    List<Message> first = q.poll(t, "g", "c1", 4, Duration.ofSeconds(2));
    List<Message> second = pollNAs(q, t, "g", "c2", 10 - first.size());
    Set<String> ids = new HashSet<>();
    first.forEach(m -> ids.add(m.id()));
    second.forEach(m -> assertTrue(ids.add(m.id()), "delivered twice while leased: " + m));
    assertEquals(10, ids.size());
    assertTrue(q.poll(t, "g", "c3", 10, NO_WAIT).isEmpty(), "every message is leased");
  }

  private static List<Message> pollNAs(MessageQueue q, String t, String g, String c, int n) {
    List<Message> out = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (out.size() < n && System.nanoTime() < deadline) {
      out.addAll(q.poll(t, g, c, n - out.size(), Duration.ofMillis(100)));
    }
    return out;
  }

  @Test
  void anAcknowledgedMessageIsNotDeliveredAgain() {
    MessageQueue q = queue();
    String t = topic();
    q.publish(t, bytes("x"));
    Message m = pollN(q, t, "g", 1).get(0);
    q.ack(m);
    q.ack(m);
    passTime(visibility().plus(visibility()));
    assertTrue(q.poll(t, "g", "c1", 10, Duration.ofMillis(200)).isEmpty());
    assertEquals(0, q.lag(t, "g"));
  }

  @Test
  void anUnacknowledgedMessageComesBackAfterTheVisibilityTimeoutWithItsDeliveryCount() {
    MessageQueue q = queue();
    String t = topic();
    q.publish(t, bytes("x"));
    Message m = pollN(q, t, "g", 1).get(0);
    assertTrue(q.poll(t, "g", "c1", 10, NO_WAIT).isEmpty(), "leased, not visible");
    passTime(visibility().plusMillis(150));
    List<Message> again = pollN(q, t, "g", 1);
    assertEquals(1, again.size());
    assertEquals(m.id(), again.get(0).id());
    assertEquals(2, again.get(0).deliveryCount());
    q.ack(again.get(0));
  }

  @Test
  void aNackedMessageComesBackAfterItsDelay() {
    MessageQueue q = queue();
    String t = topic();
    q.publish(t, bytes("x"));
    Message m = pollN(q, t, "g", 1).get(0);
    Duration delay = visibility().dividedBy(2);
    q.nack(m, delay);
    assertTrue(q.poll(t, "g", "c1", 10, NO_WAIT).isEmpty(), "not before its delay");
    passTime(delay.plusMillis(150));
    List<Message> again = pollN(q, t, "g", 1);
    assertEquals(m.id(), again.get(0).id());
    assertEquals(2, again.get(0).deliveryCount());
  }

  @Test
  void aLateNackFromAnEarlierHolderLeavesTheCurrentLeaseAlone() {
    MessageQueue q = queue();
    String t = topic();
    q.publish(t, bytes("x"));
    Message first = q.poll(t, "g", "a", 1, Duration.ofSeconds(5)).get(0);
    passTime(visibility().plusMillis(150));
    Message second = pollN(q, t, "g", 1).get(0);
    assertEquals(2, second.deliveryCount());
    q.nack(first, Duration.ZERO, "late");
    assertTrue(q.poll(t, "g", "c", 10, Duration.ofMillis(200)).isEmpty(),
        "the second delivery's lease still runs");
    q.nack(second, Duration.ZERO, "current");
    Message third = pollN(q, t, "g", 1).get(0);
    assertEquals(3, third.deliveryCount());
  }

  @Test
  void aNackWithAnEnormousDelayDoesNotRedeliverAtOnce() {
    MessageQueue q = queue();
    String t = topic();
    q.publish(t, bytes("x"));
    Message m = pollN(q, t, "g", 1).get(0);
    q.nack(m, Duration.ofMillis(Long.MAX_VALUE).minusMillis(1000), "later");
    assertTrue(q.poll(t, "g", "c1", 10, Duration.ofMillis(200)).isEmpty(), "not before its delay");
    q.nack(m, Duration.ofSeconds(Long.MAX_VALUE), "much later");
    assertTrue(q.poll(t, "g", "c1", 10, Duration.ofMillis(200)).isEmpty(), "not before its delay");
  }

  @Test
  void aNackWithoutDelayRedeliversAtOnce() {
    MessageQueue q = queue();
    String t = topic();
    q.publish(t, bytes("x"));
    Message m = pollN(q, t, "g", 1).get(0);
    q.nack(m, Duration.ZERO);
    List<Message> again = pollN(q, t, "g", 1);
    assertEquals(m.id(), again.get(0).id());
  }

  @Test
  void afterMaxDeliveriesTheMessageIsInTheDeadLetterTopicWithTheReason() {
    MessageQueue q = queue(config().visibilityTimeout(visibility()).maxDeliveries(2).build());
    String t = topic();
    String id = q.publish(t, bytes("poison"));
    for (int i = 1; i <= 2; i++) {
      Message m = pollN(q, t, "g", 1).get(0);
      assertEquals(i, m.deliveryCount());
      q.nack(m, Duration.ZERO, "handler failed: boom " + i);
    }
    assertTrue(q.poll(t, "g", "c1", 10, Duration.ofMillis(300)).isEmpty(), "gone from its topic");
    List<Message> dead = pollN(q, MessageQueue.deadLetterTopic(t), "ops", 1);
    assertEquals(1, dead.size());
    assertEquals("poison", text(dead.get(0)));
    DeadLetter d = dead.get(0).deadLetter().orElseThrow();
    assertEquals(t, d.sourceTopic());
    assertEquals(id, d.sourceId());
    assertEquals("g", d.group());
    assertEquals(2, d.deliveries());
    assertTrue(d.reason().contains("boom 2"), d.reason());
    assertEquals(1, q.stats().deadLettered());
    assertEquals(0, q.lag(t, "g"));
  }

  @Test
  void anExpiredLeaseCountsTowardsMaxDeliveries() {
    MessageQueue q = queue(config().visibilityTimeout(visibility()).maxDeliveries(1).build());
    String t = topic();
    q.publish(t, bytes("slow"));
    pollN(q, t, "g", 1);
    passTime(visibility().plusMillis(150));
    assertTrue(q.poll(t, "g", "c1", 10, Duration.ofMillis(300)).isEmpty());
    Message dead = pollN(q, MessageQueue.deadLetterTopic(t), "ops", 1).get(0);
    assertTrue(dead.deadLetter().orElseThrow().reason().contains("visibility timeout"),
        dead.deadLetter().orElseThrow().reason());
  }

  @Test
  void aPollWaitsForAPublish() throws Exception {
    MessageQueue q = queue();
    String t = topic();
    q.poll(t, "g", "c1", 1, NO_WAIT);
    CompletableFuture<List<Message>> waiting = CompletableFuture.supplyAsync(
        () -> q.poll(t, "g", "c1", 1, Duration.ofSeconds(10)));
    Thread.sleep(100);
    q.publish(t, bytes("late"));
    assertEquals(List.of("late"), texts(waiting.get(10, TimeUnit.SECONDS)));
  }

  @Test
  void aFullBoundedTopicFailsAPublishWhenToldToFail() {
    MessageQueue q = queue(config().visibilityTimeout(visibility()).maxPendingMessages(2)
        .backPressure(BackPressure.FAIL).build());
    String t = topic();
    q.poll(t, "g", "c1", 1, NO_WAIT);
    q.publish(t, bytes("1"));
    q.publish(t, bytes("2"));
    QueueFullException e = assertThrows(QueueFullException.class, () -> q.publish(t, bytes("3")));
    assertTrue(e.getMessage().contains("2"), e.getMessage());
    q.ack(pollN(q, t, "g", 1).get(0));
    q.publish(t, bytes("3"));
  }

  @Test
  void aFullBoundedTopicBlocksAPublishUntilAnAckMakesRoom() throws Exception {
    MessageQueue q = queue(config().visibilityTimeout(visibility()).maxPendingMessages(1)
        .backPressure(BackPressure.BLOCK).publishTimeout(Duration.ofSeconds(10)).build());
    String t = topic();
    q.poll(t, "g", "c1", 1, NO_WAIT);
    q.publish(t, bytes("1"));
    CompletableFuture<String> blocked = CompletableFuture.supplyAsync(() -> q.publish(t, bytes("2")));
    Thread.sleep(300);
    assertFalse(blocked.isDone(), "blocked while full");
    q.ack(pollN(q, t, "g", 1).get(0));
    blocked.get(10, TimeUnit.SECONDS);
    assertEquals(List.of("2"), texts(pollN(q, t, "g", 1)));
  }

  @Test
  void aBlockedPublishTimesOut() {
    MessageQueue q = queue(config().visibilityTimeout(visibility()).maxPendingMessages(1)
        .publishTimeout(Duration.ofMillis(200)).build());
    String t = topic();
    q.poll(t, "g", "c1", 1, NO_WAIT);
    q.publish(t, bytes("1"));
    long start = System.nanoTime();
    assertThrows(QueueFullException.class, () -> q.publish(t, bytes("2")));
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(150));
  }

  @Test
  void aMessageOverTheLimitIsRefusedWithItsSizeAndTheLimit() {
    MessageQueue q = queue(config().visibilityTimeout(visibility()).maxMessageBytes(100).build());
    String t = topic();
    RecordTooLargeException e = assertThrows(RecordTooLargeException.class,
        () -> q.publishAll(t, List.of(bytes("ok"), new byte[101])));
    assertTrue(e.getMessage().contains("101") && e.getMessage().contains("100"), e.getMessage());
    q.poll(t, "g", "c1", 1, NO_WAIT);
    assertEquals(0, q.lag(t, "g"), "nothing of the batch was written");
    q.publish(t, new byte[100]);
  }

  @Test
  void badNamesAreRefused() {
    MessageQueue q = queue();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> q.publish("no spaces", bytes("x")));
    assertTrue(e.getMessage().contains("no spaces"));
    assertThrows(IllegalArgumentException.class, () -> q.poll("t", "", "c", 1, NO_WAIT));
    assertThrows(IllegalArgumentException.class, () -> q.poll("t", "g", "c", 0, NO_WAIT));
  }

  /**
   * A topic with the longest name allowed: its dead-letter topic, four characters longer, is an
   * ordinary topic too, which a consumer can poll (and whose own dead letters it can poll).
   */
  @Test
  void theDeadLettersOfATopicWithTheLongestNameCanBeRead() {
    MessageQueue q = queue(config().visibilityTimeout(visibility()).maxDeliveries(1).build());
    String t = (topic() + "-" + "x".repeat(100)).substring(0, 100);
    q.publish(t, bytes("poison"));
    q.nack(pollN(q, t, "g", 1).get(0), Duration.ZERO, "boom");
    assertTrue(q.poll(t, "g", "c1", 10, Duration.ofMillis(300)).isEmpty(), "gone from its topic");
    String dlq = MessageQueue.deadLetterTopic(t);
    Message dead = pollN(q, dlq, "ops", 1).get(0);
    assertEquals("poison", text(dead));
    assertEquals(t, dead.deadLetter().orElseThrow().sourceTopic());
    q.nack(dead, Duration.ZERO, "boom again");
    assertTrue(q.poll(dlq, "ops", "c1", 10, Duration.ofMillis(300)).isEmpty());
    assertEquals("poison", text(pollN(q, MessageQueue.deadLetterTopic(dlq), "ops", 1).get(0)));
    assertThrows(IllegalArgumentException.class, () -> q.publish(t + "y", bytes("x")),
        "101 characters");
    assertThrows(IllegalArgumentException.class, () -> q.publish(t + ".dlx", bytes("x")));
  }

  @Test
  void emptyPayloadsArePublishedAndDeliveredEmpty() throws Exception {
    for (long bound : new long[] {0, 10}) {
      MessageQueue q = queue(config().visibilityTimeout(visibility()).maxPendingMessages(bound).build());
      String t = topic();
      q.poll(t, "g", "c1", 1, NO_WAIT);
      q.publish(t, new byte[0]);
      q.publishAll(t, List.of(new byte[0], bytes("x"), new byte[0]));
      q.publishAsync(t, new byte[0]).get(10, TimeUnit.SECONDS);
      List<Message> got = pollN(q, t, "g", 5);
      assertEquals(List.of("", "", "x", "", ""), texts(got), "bound " + bound);
      q.ackAll(got);
      assertEquals(0, q.lag(t, "g"));
    }
  }

  @Test
  void lagCountsWhatTheGroupHasNotAcknowledged() {
    MessageQueue q = queue();
    String t = topic();
    q.poll(t, "g", "c1", 1, NO_WAIT);
    q.publishAll(t, List.of(bytes("1"), bytes("2"), bytes("3")));
    List<Message> got = pollN(q, t, "g", 3);
    q.ackAll(got.subList(0, 2));
    assertEquals(1, q.lag(t, "g"));
    QueueStats s = q.stats();
    assertEquals(3, s.published());
    assertEquals(2, s.acked());
  }

  @Test
  void tenThousandMessagesWithRandomFailuresEachEndExactlyOnceAckedOrDeadLettered() {
    MessageQueue q = queue(config().visibilityTimeout(visibility()).maxDeliveries(3).build());
    String t = topic();
    int n = 10_000;
    q.poll(t, "g", "c1", 1, NO_WAIT);
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(bytes(Integer.toString(i)));
      if (batch.size() == 500) {
        q.publishAll(t, batch);
        batch.clear();
      }
    }
    Random random = new Random(42);
    Map<String, Integer> acked = new HashMap<>();
    int idle = 0;
    while (idle < 3) {
      List<Message> got = q.poll(t, "g", "c1", 500, Duration.ofMillis(100));
      idle = got.isEmpty() ? idle + 1 : 0;
      List<Message> ok = new ArrayList<>();
      for (Message m : got) {
        if (random.nextInt(4) == 0) {
          q.nack(m, Duration.ZERO, "random failure");
        } else {
          ok.add(m);
          acked.merge(text(m), 1, Integer::sum);
        }
      }
      q.ackAll(ok);
    }
    Map<String, Integer> dead = new HashMap<>();
    List<Message> letters;
    while (!(letters = q.poll(MessageQueue.deadLetterTopic(t), "ops", "c1", 500,
        Duration.ofMillis(200))).isEmpty()) {
      letters.forEach(m -> dead.merge(text(m), 1, Integer::sum));
      q.ackAll(letters);
    }
    for (int i = 0; i < n; i++) {
      String key = Integer.toString(i);
      int ends = acked.getOrDefault(key, 0) + dead.getOrDefault(key, 0);
      assertEquals(1, ends, "message " + key + " acked " + acked.get(key) + ", dead " + dead.get(key));
    }
    assertTrue(dead.size() > 50, "about 1/64 of the messages fail three times: " + dead.size());
  }

  @Test
  void asyncPublishesCompleteInPublishOrderWithTheIdsAPollDelivers() throws Exception {
    MessageQueue q = queue();
    String t = topic();
    q.poll(t, "g", "c1", 1, NO_WAIT);
    int n = 200;
    AtomicReferenceArray<CompletableFuture<String>> futures = new AtomicReferenceArray<>(n);
    ConcurrentLinkedQueue<String> outOfOrder = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < n; i++) {
      int index = i;
      CompletableFuture<String> f = q.publishAsync(t, bytes("m" + i));
      futures.set(i, f);
      // a callback may run on the thread that completes the future or on one that waits for it,
      // so the promise checked is the order of completion: every earlier future is done already
      f.whenComplete((id, e) -> {
        for (int j = 0; j < index; j++) {
          if (!futures.get(j).isDone()) {
            outOfOrder.add(index + " done before " + j);
          }
        }
      });
    }
    CompletableFuture<List<String>> batch = q.publishAllAsync(t, List.of(bytes("b0"), bytes("b1")));
    batch.whenComplete((done, e) -> {
      if (!futures.get(n - 1).isDone()) {
        outOfOrder.add("the batch done before " + (n - 1));
      }
    });
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(futures.get(i).get(10, TimeUnit.SECONDS));
    }
    ids.addAll(batch.get(10, TimeUnit.SECONDS));
    assertEquals(List.of(), List.copyOf(outOfOrder), "futures complete in publish order");
    assertEquals(202, new HashSet<>(ids).size(), "distinct ids");
    List<Message> got = pollN(q, t, "g", 202);
    assertEquals(ids, got.stream().map(Message::id).toList());
    assertEquals("m199", text(got.get(199)));
    assertEquals(List.of("b0", "b1"), texts(got.subList(200, 202)));
    assertEquals(202, q.stats().published());
  }

  @Test
  void aCallbackThatInterruptsTheCompletingThreadDoesNotStopLaterAsyncPublishes()
      throws Exception {
    MessageQueue q = queue();
    String t = topic();
    q.publishAsync(t, bytes("a")).thenRun(() -> Thread.currentThread().interrupt())
        .get(10, TimeUnit.SECONDS);
    Thread.interrupted(); // where the future completes on the caller's thread (in memory)
    for (int i = 0; i < 3; i++) {
      q.publishAsync(t, bytes("b" + i)).get(10, TimeUnit.SECONDS);
    }
    assertEquals(List.of("a", "b0", "b1", "b2"), texts(pollN(q, t, "g", 4)));
  }

  @Test
  void aMessageWhoseAsyncPublishCompletedIsDeliveredByTheNextPoll() throws Exception {
    MessageQueue q = queue();
    String t = topic();
    q.poll(t, "g", "c1", 1, NO_WAIT);
    for (int i = 0; i < 20; i++) {
      String id = q.publishAsync(t, bytes("m" + i)).get(10, TimeUnit.SECONDS);
      List<Message> got = q.poll(t, "g", "c1", 10, NO_WAIT);
      assertEquals(List.of(id), got.stream().map(Message::id).toList(),
          "durable, so visible at once: " + i);
      q.ack(got.get(0));
    }
  }

  @Test
  void anAsyncPublishRefusedBeforeWritingThrowsAndWritesNothing() {
    MessageQueue q = queue(config().visibilityTimeout(visibility()).maxMessageBytes(100).build());
    String t = topic();
    RecordTooLargeException e = assertThrows(RecordTooLargeException.class,
        () -> q.publishAllAsync(t, List.of(bytes("ok"), new byte[101])));
    assertTrue(e.getMessage().contains("101"), e.getMessage());
    q.poll(t, "g", "c1", 1, NO_WAIT);
    assertEquals(0, q.lag(t, "g"), "nothing of the batch was written");
  }

  @Test
  void aFailureToMakeAnAsyncPublishDurableFailsItsFutureWithAQueueException() throws Exception {
    MessageQueue q = queue();
    String t = topic();
    if (!failDurableWrites(q, t)) {
      CompletableFuture<String> f = q.publishAsync(t, bytes("x"));
      assertTrue(f.isDone() && !f.isCompletedExceptionally(), "in memory: complete on return");
      return;
    }
    List<CompletableFuture<String>> futures = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      futures.add(q.publishAsync(t, bytes("x" + i)));
    }
    for (CompletableFuture<String> f : futures) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> f.get(10, TimeUnit.SECONDS));
      assertInstanceOf(QueueException.class, e.getCause());
    }
  }

  @Test
  void closeCompletesOrFailsEveryPendingAsyncPublish() {
    MessageQueue q = queue();
    String t = topic();
    List<CompletableFuture<String>> futures = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      futures.add(q.publishAsync(t, bytes("m" + i)));
    }
    q.close();
    futures.forEach(f -> assertTrue(f.isDone(), "no future left pending by close"));
    assertThrows(IllegalStateException.class, () -> q.publishAsync(t, bytes("late")));
  }

  @Test
  void aFullBoundedTopicFailsAnAsyncPublishWhenToldToFail() throws Exception {
    MessageQueue q = queue(config().visibilityTimeout(visibility()).maxPendingMessages(2)
        .backPressure(BackPressure.FAIL).build());
    String t = topic();
    q.poll(t, "g", "c1", 1, NO_WAIT);
    q.publishAsync(t, bytes("1")).get(10, TimeUnit.SECONDS);
    q.publishAsync(t, bytes("2")).get(10, TimeUnit.SECONDS);
    assertThrows(QueueFullException.class, () -> q.publishAsync(t, bytes("3")));
    q.ack(pollN(q, t, "g", 1).get(0));
    q.publishAsync(t, bytes("3")).get(10, TimeUnit.SECONDS);
  }

  /**
   * Publishers racing for the last room of a bounded topic (single, batch and async publishes at
   * once): the topic never holds more than its bound, and every publish that was not refused is
   * there.
   */
  @Test
  void concurrentPublishersNeverOverfillABoundedTopic() throws Exception {
    int bound = 20;
    MessageQueue q = queue(config().visibilityTimeout(visibility()).maxPendingMessages(bound)
        .backPressure(BackPressure.FAIL).build());
    String t = topic();
    q.poll(t, "g", "c1", 1, NO_WAIT);
    int threads = 6;
    AtomicInteger accepted = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(threads);
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    List<Thread> publishers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      int kind = i % 3;
      publishers.add(new Thread(() -> {
        try {
          start.await();
          for (int k = 0; k < 40; k++) {
            try {
              switch (kind) {
                case 0 -> q.publish(t, bytes("one"));
                case 1 -> q.publishAll(t, List.of(bytes("two"), bytes("two")));
                default -> q.publishAsync(t, bytes("async")).get(10, TimeUnit.SECONDS);
              }
              accepted.addAndGet(kind == 1 ? 2 : 1);
            } catch (QueueFullException e) {
              // refused: the topic was full
            } catch (ExecutionException e) {
              if (!(e.getCause() instanceof QueueFullException)) {
                throw e;
              }
            }
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }));
    }
    publishers.forEach(Thread::start);
    for (Thread p : publishers) {
      p.join();
    }
    assertEquals(List.of(), List.copyOf(errors));
    List<Message> held = new ArrayList<>();
    List<Message> got;
    while (!(got = q.poll(t, "g", "c1", 100, Duration.ofMillis(200))).isEmpty()) {
      held.addAll(got);
    }
    assertTrue(held.size() <= bound, "the topic held " + held.size() + " over its bound " + bound);
    assertEquals(accepted.get(), held.size(), "every publish that was not refused is there");
  }

  @Test
  void anAsyncBatchOverTheInFlightBoundIsRefusedWithNothingWritten() throws Exception {
    MessageQueue q = queue(config().visibilityTimeout(visibility()).maxInFlightPublishes(2)
        .build());
    String t = topic();
    q.poll(t, "g", "c1", 1, NO_WAIT);
    QueueFullException e = assertThrows(QueueFullException.class,
        () -> q.publishAllAsync(t, List.of(bytes("1"), bytes("2"), bytes("3"))));
    assertTrue(e.getMessage().contains("max-in-flight-publishes"), e.getMessage());
    assertEquals(0, q.lag(t, "g"));
    q.publishAllAsync(t, List.of(bytes("1"), bytes("2"))).get(10, TimeUnit.SECONDS);
    assertEquals(List.of("1", "2"), texts(pollN(q, t, "g", 2)));
  }
}
