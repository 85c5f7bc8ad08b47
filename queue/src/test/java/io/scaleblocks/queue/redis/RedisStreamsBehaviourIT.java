package io.scaleblocks.queue.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.queue.Durability;
import io.scaleblocks.queue.Message;
import io.scaleblocks.queue.MessageQueue;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.queue.QueueFullException;
import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;

/** What is particular to Redis: persistence, claim timing, trimming, and rates against Redis itself. */
class RedisStreamsBehaviourIT {

  static RedisClient jedis;

  @BeforeAll
  static void connect() {
    RequireServer.redis();
    jedis = RedisClient.create(ServerAddresses.redisUrl());
  }

  @AfterAll
  static void disconnect() {
    if (jedis != null) {
      jedis.close();
    }
  }

  private static String topic() {
    return "b" + Long.toHexString(System.nanoTime());
  }

  @Test
  void warnsWhenTheServersPersistenceIsWeakerThanTheDurabilityAskedFor() {
    String aof = RedisStreamsQueue.configValue(jedis, "appendonly");
    RedisStreamsQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder()
        .durability(Durability.GROUP_COMMIT).build());
    assertEquals("no".equals(aof), q.persistenceWarning().isPresent());
    q.persistenceWarning().ifPresent(w -> assertTrue(w.contains("appendonly=" + aof), w));
    assertEquals(Optional.empty(), RedisStreamsQueue.create(jedis, QueueConfig.builder()
        .durability(Durability.NONE).build()).persistenceWarning());
  }

  @Test
  void aMessageWhoseConsumerDiedComesBackWithinTheTimeoutPlusOneClaimInterval() {
    Duration timeout = Duration.ofMillis(500);
    Duration claim = Duration.ofMillis(200);
    MessageQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder()
        .visibilityTimeout(timeout).claimInterval(claim).build());
    String t = topic();
    q.poll(t, "g", "dead", 1, Duration.ZERO);
    q.publish(t, "x".getBytes(StandardCharsets.UTF_8));
    long leased = System.nanoTime();
    assertEquals(1, q.poll(t, "g", "dead", 1, Duration.ofSeconds(2)).size());
    List<Message> back = List.of();
    while (back.isEmpty()) {
      back = q.poll(t, "g", "alive", 1, Duration.ofSeconds(5));
    }
    long millis = (System.nanoTime() - leased) / 1_000_000;
    assertEquals(2, back.get(0).deliveryCount());
    assertTrue(millis >= timeout.toMillis(), "not before the timeout: " + millis);
    assertTrue(millis <= timeout.plus(claim).toMillis() + 250, "within timeout + claim: " + millis);
  }

  /**
   * Two processes of one group: the dead letter names the reason of the nack that ended the last
   * delivery, whichever process gave it and whichever claims the entry last; a last delivery whose
   * lease expired is named so, not after an earlier delivery's nack.
   */
  @Test
  void aDeadLetterNamesTheReasonOfTheLastNackGivenInAnyProcess() throws Exception {
    QueueConfig config = QueueConfig.builder().visibilityTimeout(Duration.ofMillis(400))
        .claimInterval(Duration.ofMillis(50)).maxDeliveries(2).build();
    MessageQueue a = RedisStreamsQueue.create(jedis, config);
    try (RedisClient otherProcess = RedisClient.create(ServerAddresses.redisUrl())) {
      MessageQueue b = RedisStreamsQueue.create(otherProcess, config);
      deadLettersFromTwoProcesses(a, b, topic());
    }
  }

  private static void deadLettersFromTwoProcesses(MessageQueue a, MessageQueue b, String t) {
    a.poll(t, "g", "a", 1, Duration.ZERO);
    String nackedInB = a.publish(t, "nacked in b".getBytes(StandardCharsets.UTF_8));
    String expiredInB = a.publish(t, "expired in b".getBytes(StandardCharsets.UTF_8));
    for (Message m : a.poll(t, "g", "a", 2, Duration.ofSeconds(1))) {
      a.nack(m, Duration.ZERO, "a refused " + m.id());
    }
    List<Message> second = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (second.size() < 2 && System.nanoTime() < deadline) {
      second.addAll(b.poll(t, "g", "b", 2, Duration.ofMillis(200)));
    }
    assertEquals(2, second.size(), "b got both again");
    for (Message m : second) {
      assertEquals(2, m.deliveryCount());
      if (m.id().equals(nackedInB)) {
        b.nack(m, Duration.ZERO, "b refused it too");
      }
    }
    Map<String, String> reasons = new HashMap<>();
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (reasons.size() < 2 && System.nanoTime() < deadline) {
      assertTrue(a.poll(t, "g", "a", 10, Duration.ofMillis(100)).isEmpty(), "no third delivery");
      for (Message d : a.poll(MessageQueue.deadLetterTopic(t), "ops", "o", 10, Duration.ZERO)) {
        reasons.put(d.deadLetter().orElseThrow().sourceId(), d.deadLetter().orElseThrow().reason());
      }
    }
    assertTrue(reasons.get(nackedInB).endsWith("last: b refused it too"), reasons.get(nackedInB));
    assertTrue(reasons.get(expiredInB).endsWith("last: visibility timeout expired"), reasons.get(expiredInB));
    assertEquals(Set.of(), jedis.keys(RedisStreamsQueue.key(t) + ":nack:*"), "reasons left behind");
    jedis.del(RedisStreamsQueue.key(t), RedisStreamsQueue.key(MessageQueue.deadLetterTopic(t)));
  }

  /**
   * A nack's reason is kept in Redis until the entry is settled: when another process takes the
   * redeliveries over and acknowledges them, nothing is left of 3,000 reasons; one still kept
   * expires, and holds only the start of a long reason.
   */
  @Test
  void nackReasonsGoWithTheAcknowledgementOfTheRedeliveryAndExpireOtherwise() throws Exception {
    QueueConfig config = QueueConfig.builder().visibilityTimeout(Duration.ofSeconds(2))
        .claimInterval(Duration.ofMillis(50)).build();
    MessageQueue nacking = RedisStreamsQueue.create(jedis, config);
    MessageQueue other = RedisStreamsQueue.create(jedis, config);
    String t = topic();
    String reasons = RedisStreamsQueue.key(t) + ":nack:*";
    nacking.poll(t, "g", "a", 1, Duration.ZERO);
    int n = 3_000;
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      payloads.add(("m" + i).getBytes(StandardCharsets.UTF_8));
    }
    nacking.publishAll(t, payloads);
    List<Message> leased = nacking.poll(t, "g", "a", n, Duration.ofSeconds(2));
    assertEquals(n, leased.size());
    for (Message m : leased) {
      nacking.nack(m, Duration.ZERO, "retry later");
    }
    assertEquals(n, jedis.keys(reasons).size());
    Set<String> acked = new HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (acked.size() < n && System.nanoTime() < deadline) {
      List<Message> got = other.poll(t, "g", "b", 500, Duration.ofMillis(200));
      other.ackAll(got);
      got.forEach(m -> acked.add(m.id()));
    }
    assertEquals(n, acked.size(), "the other process took over and acknowledged every message");
    assertEquals(Set.of(), jedis.keys(reasons));

    nacking.publish(t, "late".getBytes(StandardCharsets.UTF_8));
    Message late = nacking.poll(t, "g", "a", 1, Duration.ofSeconds(1)).get(0);
    nacking.nack(late, Duration.ZERO, "x".repeat(5_000));
    String key = RedisStreamsQueue.key(t) + ":nack:g:" + late.id();
    long ttl = jedis.pttl(key);
    assertTrue(ttl > RedisStreamsQueue.NACK_REASON_TTL.toMillis() - 60_000
        && ttl <= RedisStreamsQueue.NACK_REASON_TTL.toMillis(), "ttl " + ttl);
    assertEquals("1:" + "x".repeat(RedisStreamsQueue.MAX_REASON_CHARS), jedis.get(key));
    jedis.del(RedisStreamsQueue.key(t), key);
  }

  @Test
  void trimmingNeverDropsAMessageSomeGroupHasNotAcknowledged() {
    MessageQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder().build());
    String t = topic();
    String key = RedisStreamsQueue.key(t);
    q.poll(t, "fast", "c", 1, Duration.ZERO);
    q.poll(t, "slow", "c", 1, Duration.ZERO);
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      batch.add(new byte[] {(byte) i});
    }
    q.publishAll(t, batch);
    q.ackAll(q.poll(t, "fast", "c", 100, Duration.ofSeconds(1)));
    List<Message> slow = q.poll(t, "slow", "c", 10, Duration.ofSeconds(1));
    q.ackAll(slow.subList(1, 10));
    assertEquals(0, SafeTrim.trim(jedis, key), "the slow group still holds the first one");
    q.ack(slow.get(0));
    assertEquals(10, SafeTrim.trim(jedis, key), "the ten the slow group acknowledged");
    assertEquals(90, jedis.xlen(key));
    assertEquals(90, q.poll(t, "slow", "c", 100, Duration.ofSeconds(1)).size());
    jedis.scriptFlush();
    q.ackAll(q.poll(t, "fast", "c", 100, Duration.ZERO));
    assertEquals(0, SafeTrim.trim(jedis, key), "after a script flush: the slow group holds 90");
  }

  @Test
  void aStreamWithoutGroupsOrWithoutEntriesIsNotTrimmed() {
    MessageQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder().build());
    String t = topic();
    String key = RedisStreamsQueue.key(t);
    assertEquals(0, SafeTrim.trim(jedis, key), "no stream");
    q.publishAll(t, List.of(new byte[] {1}, new byte[] {2}));
    assertEquals(0, SafeTrim.trim(jedis, key), "nobody has taken them yet");
    assertEquals(2, jedis.xlen(key));
    jedis.xgroupCreate(key, "late", new StreamEntryID(0, 0), false);
    assertEquals(0, SafeTrim.trim(jedis, key), "a group that read nothing needs everything");
    List<Message> read = q.poll(t, "late", "c", 2, Duration.ofSeconds(1));
    assertEquals(0, SafeTrim.trim(jedis, key), "read, not acknowledged");
    // XACK itself: the queue's ackAll would trim them on its own (its first trim is due at once)
    jedis.xack(key, "late", read.stream().map(m -> new StreamEntryID(m.id()))
        .toArray(StreamEntryID[]::new));
    assertEquals(2, SafeTrim.trim(jedis, key), "read and acknowledged");
    jedis.del(key);
  }

  /**
   * The publish, poll and ack commands decode their replies themselves: the same messages, ids and
   * timestamps come back over RESP2 (arrays) as over RESP3 (where XREADGROUP answers a map), on an
   * unbounded and on a bounded topic.
   */
  @Test
  void publishPollAndAckWorkOverResp2AsOverResp3() throws Exception {
    URI uri = URI.create(ServerAddresses.redisUrl());
    for (String protocol : List.of("2", "3")) {
      try (RedisClient client = RedisClient.create(URI.create(uri + "?protocol=" + protocol))) {
        Object info = client.executeCommand(new CommandArguments(Protocol.Command.CLIENT).add("INFO"));
        assertTrue(new String((byte[]) info, StandardCharsets.UTF_8).contains("resp=" + protocol),
            "connected with RESP" + protocol);
        for (long bound : new long[] {0, 10}) {
          MessageQueue q = RedisStreamsQueue.create(client, QueueConfig.builder()
              .maxPendingMessages(bound).build());
          String t = topic();
          q.poll(t, "g", "c", 1, Duration.ZERO);
          List<String> ids = new ArrayList<>();
          ids.add(q.publish(t, "one".getBytes(StandardCharsets.UTF_8)));
          ids.addAll(q.publishAll(t, List.of("two".getBytes(StandardCharsets.UTF_8),
              "three".getBytes(StandardCharsets.UTF_8))));
          ids.add(q.publishAsync(t, "four".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS));
          List<Message> got = new ArrayList<>();
          while (got.size() < 4) {
            got.addAll(q.poll(t, "g", "c", 4 - got.size(), Duration.ofSeconds(1)));
          }
          String at = "RESP" + protocol + ", bound " + bound;
          assertEquals(List.of("one", "two", "three", "four"), got.stream()
              .map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList(), at);
          assertEquals(ids, got.stream().map(Message::id).toList(), at);
          for (Message m : got) {
            assertEquals(1, m.deliveryCount(), at);
            assertEquals(Long.parseLong(m.id().substring(0, m.id().indexOf('-'))),
                m.timestampMillis(), at);
          }
          q.ackAll(got);
          assertEquals(0, q.lag(t, "g"), at);
          q.close();
          client.del(RedisStreamsQueue.key(t));
        }
      }
    }
  }

  /**
   * The bounded topic's script is loaded by whichever publish first finds a node without it, also
   * after the server's script cache was flushed; single, batch and async publishes all get through.
   */
  @Test
  void boundedPublishesReloadTheirScriptAfterAScriptFlush() throws Exception {
    MessageQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder().maxPendingMessages(10)
        .build());
    String t = topic();
    q.publish(t, "a".getBytes(StandardCharsets.UTF_8));
    jedis.scriptFlush();
    q.publish(t, "b".getBytes(StandardCharsets.UTF_8));
    jedis.scriptFlush();
    q.publishAll(t, List.of("c".getBytes(StandardCharsets.UTF_8), "d".getBytes(StandardCharsets.UTF_8)));
    jedis.scriptFlush();
    q.publishAsync(t, "e".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
    assertEquals(5, jedis.xlen(RedisStreamsQueue.key(t)));
    q.close();
  }

  /**
   * An async publish whose room another publisher took after the call checked it: the sender's
   * script finds the topic full, the future fails with {@link QueueFullException}, nothing is added.
   */
  @Test
  void anAsyncPublishToATopicFilledMeanwhileFailsItsFutureWithNothingWritten() throws Exception {
    String t = topic();
    String key = RedisStreamsQueue.key(t);
    jedis.xadd(key, StreamEntryID.NEW_ENTRY, java.util.Map.of("p", "taken"));
    RedisSender sender = new RedisSender(jedis, "bounded");
    try {
      CompletableFuture<List<String>> f = sender.submit(t, key, RedisCommands.raw(key),
          List.of("late".getBytes(StandardCharsets.UTF_8)), 1);
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      assertInstanceOf(QueueFullException.class, e.getCause());
      assertEquals(1, jedis.xlen(key));
    } finally {
      sender.close();
      jedis.del(key);
    }
  }

  /**
   * A claim whose entries are not next to each other in the claiming consumer's pending list (it
   * holds one between them that is not due): each claimed entry still gets its own delivery count, so the
   * last one is dead-lettered after max deliveries instead of being delivered once more.
   */
  @Test
  void claimedEntriesGetTheirOwnDeliveryCountWhenTheConsumerHoldsOthersBetween() {
    Duration timeout = Duration.ofMillis(400);
    MessageQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder().visibilityTimeout(timeout)
        .claimInterval(Duration.ofMillis(10)).maxDeliveries(2).build());
    String t = topic();
    q.poll(t, "g", "c", 1, Duration.ZERO);
    q.publishAll(t, List.of("a".getBytes(StandardCharsets.UTF_8), "b".getBytes(StandardCharsets.UTF_8),
        "c".getBytes(StandardCharsets.UTF_8)));
    assertEquals(3, q.poll(t, "g", "first", 3, Duration.ofSeconds(1)).size());
    sleep(timeout.plusMillis(50));
    List<Message> second = q.poll(t, "g", "second", 3, Duration.ofSeconds(1));
    assertEquals(List.of(2, 2, 2), second.stream().map(Message::deliveryCount).toList());
    q.nack(second.get(0), Duration.ZERO); // "a" and "c" due again at once; "b" stays with "second"
    q.nack(second.get(2), Duration.ZERO);
    List<Message> third = q.poll(t, "g", "second", 3, Duration.ZERO);
    assertEquals(List.of(), third.stream().map(m -> new String(m.payload(), StandardCharsets.UTF_8)
        + "@" + m.deliveryCount()).toList(), "a and c were delivered twice already");
    List<Message> dead = q.poll(MessageQueue.deadLetterTopic(t), "g", "c", 10, Duration.ofSeconds(1));
    assertEquals(List.of("a", "c"), dead.stream()
        .map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList());
    jedis.del(RedisStreamsQueue.key(t), RedisStreamsQueue.key(MessageQueue.deadLetterTopic(t)));
  }

  /**
   * An entry deleted from the stream while leased (by another tool: the queue trims only what
   * every group acknowledged): the claim skips it and Redis drops it from the pending list; the
   * others come back with their counts and the group's lag no longer counts it.
   */
  @Test
  void anEntryDeletedWhileLeasedIsSkippedByTheClaim() {
    Duration timeout = Duration.ofMillis(300);
    MessageQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder().visibilityTimeout(timeout)
        .claimInterval(Duration.ofMillis(10)).build());
    String t = topic();
    String key = RedisStreamsQueue.key(t);
    q.poll(t, "g", "c", 1, Duration.ZERO);
    q.publishAll(t, List.of("a".getBytes(StandardCharsets.UTF_8), "b".getBytes(StandardCharsets.UTF_8),
        "c".getBytes(StandardCharsets.UTF_8)));
    List<Message> leased = q.poll(t, "g", "dead", 3, Duration.ofSeconds(1));
    jedis.xdel(key, new StreamEntryID(leased.get(1).id()));
    sleep(timeout.plusMillis(50));
    List<Message> back = q.poll(t, "g", "alive", 3, Duration.ofSeconds(1));
    assertEquals(List.of("a@2", "c@2"), back.stream().map(m -> new String(m.payload(),
        StandardCharsets.UTF_8) + "@" + m.deliveryCount()).toList());
    assertEquals(2, q.lag(t, "g"));
    q.ackAll(back);
    assertEquals(0, q.lag(t, "g"));
    jedis.del(key);
  }

  /**
   * A message nacked with a reason, delivered again and then left to time out: its dead letter
   * says how that last delivery ended (the lease expired), not the reason of the earlier nack.
   */
  @Test
  void aDeadLetterGivesTheReasonOfTheLastDeliveryNotOfAnEarlierNack() {
    Duration timeout = Duration.ofMillis(300);
    MessageQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder().visibilityTimeout(timeout)
        .claimInterval(Duration.ofMillis(10)).maxDeliveries(2).build());
    String t = topic();
    q.poll(t, "g", "c", 1, Duration.ZERO);
    q.publish(t, "x".getBytes(StandardCharsets.UTF_8));
    q.nack(q.poll(t, "g", "c", 1, Duration.ofSeconds(1)).get(0), Duration.ZERO, "boom");
    assertEquals(2, q.poll(t, "g", "c", 1, Duration.ofSeconds(1)).get(0).deliveryCount());
    sleep(timeout.plusMillis(50));
    assertEquals(List.of(), q.poll(t, "g", "c", 1, Duration.ZERO));
    Message dead = q.poll(MessageQueue.deadLetterTopic(t), "g", "c", 1, Duration.ofSeconds(1)).get(0);
    String reason = dead.deadLetter().orElseThrow().reason();
    assertTrue(reason.contains("visibility timeout expired") && !reason.contains("boom"), reason);
    jedis.del(RedisStreamsQueue.key(t), RedisStreamsQueue.key(MessageQueue.deadLetterTopic(t)));
  }

  /**
   * Async publishes to a bounded topic, many to a sender round, while another client flushes the
   * server's script cache and loads the script again: the topic holds the messages in publish
   * order, with the ids their futures gave (a batch answered NOSCRIPT and sent again after its
   * round would land behind later ones that found the script loaded).
   */
  @Test
  void asyncBoundedPublishesStayInPublishOrderWhileTheScriptCacheIsFlushed() throws Exception {
    MessageQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder()
        .maxPendingMessages(1_000_000).maxInFlightPublishes(100_000).build());
    String t = topic();
    q.poll(t, "g", "c", 1, Duration.ZERO);
    java.util.concurrent.atomic.AtomicBoolean flushing = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread flusher = new Thread(() -> {
      try (RedisClient other = RedisClient.create(ServerAddresses.redisUrl())) {
        while (flushing.get()) {
          other.scriptFlush();
          other.scriptLoad(RedisCommands.BOUNDED_ADD);
        }
      }
    });
    flusher.start();
    int n = 20_000;
    List<CompletableFuture<String>> futures = new ArrayList<>(n);
    try {
      for (int i = 0; i < n; i++) {
        futures.add(q.publishAsync(t, Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
      }
      for (CompletableFuture<String> f : futures) {
        try {
          f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          // a failed batch may be missing, never out of order
        }
      }
    } finally {
      flushing.set(false);
      flusher.join();
    }
    List<String> written = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    List<Message> got;
    while (!(got = q.poll(t, "g", "c", 1000, Duration.ZERO)).isEmpty()) {
      got.forEach(m -> {
        written.add(new String(m.payload(), StandardCharsets.UTF_8));
        ids.add(m.id());
      });
      q.ackAll(got);
    }
    List<String> expectedOrder = new ArrayList<>(written);
    expectedOrder.sort(java.util.Comparator.comparingInt(Integer::parseInt));
    assertEquals(expectedOrder, written, "the stream holds the messages in publish order");
    for (int i = 0; i < written.size(); i++) {
      assertEquals(futures.get(Integer.parseInt(written.get(i))).join(), ids.get(i));
    }
    assertTrue(written.size() > n / 2, "most got through: " + written.size());
    q.close();
    jedis.del(RedisStreamsQueue.key(t));
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Pipelined publish from one thread against {@code redis-benchmark} running XADD of the same
   * 100-byte payload with the same pipeline depth and one connection, on the same server. On a
   * small machine one run of each says more about what else ran at that moment than about either
   * client, so they take turns, three rounds each after one warm-up of ours (five with
   * {@code -Dscaleblocks.long=true}), and the medians are compared; every round is printed with
   * the collection and compilation time our JVM spent in it.
   *
   * <p>By default the test asserts what a regression would break on any machine: a
   * {@code publishAll} that made a round trip per message ran at 0.03 of redis-benchmark's rate,
   * so the median ratio must reach {@value #PIPELINED_FLOOR}. The module's
   * target, 70 %, is asserted in the long form, which is how it is measured: on a loaded machine
   * the Java client loses more of its share of the two cores than redis-benchmark does (a CI run
   * measured 0.43 with both at half their quiet rates).
   */
  @Test
  void pipelinedPublishKeepsUpWithRedisBenchmarksXadd() throws Exception {
    int n = 300_000;
    int depth = 100;
    MessageQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder().build());
    String t = topic();
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < depth; i++) {
      batch.add("x".repeat(100).getBytes(StandardCharsets.UTF_8));
    }
    for (int i = 0; i < 1000; i++) {
      q.publishAll(t, batch);
    }
    int rounds = LONG ? 5 : 3;
    double[] theirs = new double[rounds];
    double[] ours = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      theirs[round] = redisBenchmarkXadd(n, depth);
      long gcBefore = collectionMillis();
      long jitBefore = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
      long start = System.nanoTime();
      for (int i = 0; i < n / depth; i++) {
        q.publishAll(t, batch);
      }
      ours[round] = n / ((System.nanoTime() - start) / 1e9);
      long gc = collectionMillis() - gcBefore;
      long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jitBefore;
      jedis.del(RedisStreamsQueue.key(t), "sbq:{bench-redis}");
      System.out.printf("redis pipelined publish round %d: %.0f msgs/s (collections %d ms,"
          + " compilation %d ms), redis-benchmark XADD -P %d: %.0f/s, ratio %.2f%n", round + 1,
          ours[round], gc, jit, depth, theirs[round], ours[round] / theirs[round]);
    }
    double oursMedian = median(ours);
    double theirsMedian = median(theirs);
    System.out.printf("redis pipelined publish: %.0f msgs/s, redis-benchmark XADD -P %d: %.0f/s, "
        + "ratio %.2f (medians of %d rounds)%n", oursMedian, depth, theirsMedian,
        oursMedian / theirsMedian, rounds);
    double bound = LONG ? 0.7 : PIPELINED_FLOOR;
    assertTrue(oursMedian >= bound * theirsMedian, "median ratio below " + bound + ": ours "
        + Arrays.toString(ours) + " vs redis-benchmark " + Arrays.toString(theirs));
  }

  private static final boolean LONG = Boolean.getBoolean("scaleblocks.long");

  private static final double PIPELINED_FLOOR = 0.3;

  private static long collectionMillis() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionTime());
    }
    return sum;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** {@code redis-benchmark -c 1 -P depth -n n XADD}: its requests per second. */
  private static double redisBenchmarkXadd(int n, int depth) throws Exception {
    URI uri = URI.create(ServerAddresses.redisUrl());
    Process p = new ProcessBuilder("redis-benchmark", "-h", uri.getHost(), "-p",
        Integer.toString(uri.getPort()), "-c", "1", "-P", Integer.toString(depth), "-n",
        Integer.toString(n), "-q", "XADD", "sbq:{bench-redis}", "*", "p", "x".repeat(100))
        .redirectErrorStream(true).start();
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8))) {
      r.lines().forEach(l -> out.append(l).append('\n'));
    }
    p.waitFor();
    Matcher m = Pattern.compile("([0-9.]+) requests per second").matcher(out.toString().replace('\r', '\n'));
    double rate = 0;
    while (m.find()) {
      rate = Double.parseDouble(m.group(1));
    }
    assertTrue(rate > 0, "redis-benchmark said: " + out);
    return rate;
  }

  /**
   * Producers paced at 10,000 msgs/s together and a consumer blocked in poll: publish-to-receive
   * times of 30,000 messages after 10,000 of warm-up (without it, the first second's class loading
   * and compilation stall the consumer once for tens of milliseconds, and every message queued
   * behind that stall counts it: more than 1 % of the run). The module's failsafe JVM starts with
   * a fixed heap (see its {@code pom.xml}), so that G1's start-up collections stay out of the window.
   */
  @Test
  void endToEndLatencyAtTenThousandMessagesPerSecond() throws Exception {
    MessageQueue q = RedisStreamsQueue.create(jedis, QueueConfig.builder().build());
    String t = topic();
    q.poll(t, "g", "c", 1, Duration.ZERO);
    int warmUp = 10_000;
    int n = 30_000;
    int total = warmUp + n;
    long[] latencies = new long[n];
    Thread consumer = new Thread(() -> {
      int seen = 0;
      int measured = 0;
      while (seen < total) {
        List<Message> got = q.poll(t, "g", "c", 100, Duration.ofMillis(500));
        long now = System.nanoTime();
        for (Message msg : got) {
          ByteBuffer payload = ByteBuffer.wrap(msg.payload());
          long sent = payload.getLong();
          if (payload.getInt() >= warmUp) {
            latencies[measured++] = now - sent;
          }
          seen++;
        }
        q.ackAll(got);
      }
    });
    consumer.start();
    int producers = 4;
    long start = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int first = p;
      threads.add(new Thread(() -> {
        for (int i = first; i < total; i += producers) {
          long due = start + i * 100_000L;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          q.publish(t, ByteBuffer.allocate(100).putLong(System.nanoTime()).putInt(i).array());
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread p : threads) {
      p.join();
    }
    consumer.join(30_000);
    assertFalse(consumer.isAlive(), "the consumer received every message");
    double rate = total / ((System.nanoTime() - start) / 1e9);
    Arrays.sort(latencies);
    double p50 = latencies[n / 2] / 1e6;
    double p99 = latencies[(int) (n * 0.99)] / 1e6;
    jedis.del(RedisStreamsQueue.key(t));
    System.out.printf("redis end-to-end at %.0f msgs/s (%,d messages after %,d of warm-up): p50 %.2f ms,"
        + " p99 %.2f ms, max %.2f ms%n", rate, n, warmUp, p50, p99, latencies[n - 1] / 1e6);
    assertTrue(rate > 5_000, "paced at " + rate);
    assertTrue(p99 < 500, "p99 " + p99 + " ms: a poll must not wait for a claim interval (1 s)");
  }
}
