package io.scaleblocks.queue.redis;

import io.scaleblocks.queue.BackPressure;
import io.scaleblocks.queue.DeadLetter;
import io.scaleblocks.queue.Durability;
import io.scaleblocks.queue.Message;
import io.scaleblocks.queue.MessageQueue;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.queue.QueueException;
import io.scaleblocks.queue.QueueFullException;
import io.scaleblocks.queue.QueueStats;
import io.scaleblocks.queue.RecordTooLargeException;
import io.scaleblocks.queue.internal.InFlightBound;
import io.scaleblocks.queue.internal.Names;
import io.scaleblocks.queue.internal.QueueCounters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.resps.StreamGroupInfo;

/**
 * The {@link MessageQueue} contract on Redis Streams, through Jedis' {@link UnifiedJedis}
 * (a {@code RedisClient} or a {@code RedisClusterClient}).
 *
 * <ul>
 *   <li>A topic is the stream {@code sbq:{<topic>}}: the braces are a hash tag, so on a Cluster each
 *       topic lives on one slot. A group is a stream consumer group created at id {@code 0}.
 *   <li>{@code publish} is {@code XADD}; {@code publishAll} pipelines its {@code XADD}s. It returns
 *       when Redis has answered: as durable as the server's {@code appendonly}/{@code appendfsync}
 *       make it (with {@code appendfsync always} Redis syncs before it answers). When they are
 *       weaker than the configured {@link Durability}, a warning is logged at start
 *       ({@link #persistenceWarning()}).
 *   <li>{@code poll} claims expired leases with {@code XAUTOCLAIM} (min idle = the visibility
 *       timeout) at most once per {@link QueueConfig#claimInterval()} per group, then reads new
 *       entries with {@code XREADGROUP}. So an expired lease comes back within the visibility
 *       timeout plus one claim interval. The delivery count is the pending-entries list's own
 *       counter, which a consumer that dies cannot fail to bump; an entry claimed with a count
 *       over {@link QueueConfig#maxDeliveries()} is added to the dead-letter stream, then
 *       acknowledged ({@code XACK}): a crash between the two dead-letters it twice, never zero times.
 *   <li>{@code nack} resets the entry's idle time with {@code XCLAIM … IDLE} so that it becomes
 *       claimable after the delay (capped at the visibility timeout); its reason is kept in this
 *       process for the dead letter. A script checks first that the entry is still pending
 *       with the nacked delivery's count, so a late nack from a consumer whose lease expired
 *       leaves the entry with its current holder.
 *   <li>Acknowledged entries are trimmed with {@code XTRIM MINID} below what every group still
 *       needs ({@link SafeTrim}), once per claim interval; a bounded topic counts its stream's
 *       length and pushes back on publish.
 * </ul>
 *
 * <p>Thread-safe. The {@link UnifiedJedis} is the caller's: {@link #close()} does not close it.
 */
public final class RedisStreamsQueue implements MessageQueue {

  private static final Logger LOG = LoggerFactory.getLogger(RedisStreamsQueue.class);
  private static final String KEY_PREFIX = "sbq:{";

  /**
   * Gives an entry back only if its pending delivery count is still the nacked delivery's: a late
   * nack from a consumer whose lease expired must not take the entry from its current holder.
   * KEYS[1] stream; ARGV group, id, delivery count, idle to set.
   */
  private static final String NACK_CURRENT_DELIVERY = String.join("\n",
      "local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)",
      "if #p == 0 or tonumber(p[1][4]) ~= tonumber(ARGV[3]) then return 0 end",
      "redis.call('XCLAIM', KEYS[1], ARGV[1], 'nacked', 0, ARGV[2], 'IDLE', ARGV[4],",
      "  'RETRYCOUNT', ARGV[3], 'JUSTID')",
      "return 1");

  private final UnifiedJedis jedis;
  private final QueueConfig config;
  private final QueueCounters counters = new QueueCounters();
  private final Set<String> groupsCreated = ConcurrentHashMap.newKeySet();
  private final Map<String, Long> nextClaim = new ConcurrentHashMap<>();
  /** Where the next XAUTOCLAIM scan of a group's pending entries resumes ("0-0": from the start). */
  private final Map<String, String> claimCursor = new ConcurrentHashMap<>();
  private final Map<String, Long> nextTrim = new ConcurrentHashMap<>();
  private final Map<String, String> outcomes = new ConcurrentHashMap<>();
  private final String persistenceWarning;
  private final InFlightBound inFlight;
  private final ReentrantLock senderLock = new ReentrantLock();
  private RedisSender sender;
  private volatile boolean closed;

  private RedisStreamsQueue(UnifiedJedis jedis, QueueConfig config) {
    this.jedis = Objects.requireNonNull(jedis, "jedis");
    this.config = Objects.requireNonNull(config, "config");
    this.inFlight = new InFlightBound(config);
    this.persistenceWarning = checkPersistence();
    if (persistenceWarning != null) {
      LOG.warn("{} - {}", config.name(), persistenceWarning);
    }
  }

  /** A queue on the Redis (standalone or Cluster) that {@code jedis} talks to. */
  public static RedisStreamsQueue create(UnifiedJedis jedis, QueueConfig config) {
    return new RedisStreamsQueue(jedis, config);
  }

  /** Why the server's persistence cannot give the configured durability, if it cannot. */
  public Optional<String> persistenceWarning() {
    return Optional.ofNullable(persistenceWarning);
  }

  private String checkPersistence() {
    Durability d = config.durability();
    if (d == Durability.NONE) {
      return null;
    }
    Map<String, String> c;
    try {
      c = jedis.configGet("appendonly", "appendfsync");
    } catch (JedisException | UnsupportedOperationException e) {
      return "could not read the server's appendonly/appendfsync (" + e.getMessage()
          + "); durability " + d + " is not checked";
    }
    String aof = c.getOrDefault("appendonly", "?");
    String fsync = c.getOrDefault("appendfsync", "?");
    boolean enough = "yes".equals(aof) && (d == Durability.INTERVAL || "always".equals(fsync));
    return enough ? null : "Redis runs with appendonly=" + aof + ", appendfsync=" + fsync
        + ": a publish that returned can be lost if Redis stops, which durability " + d
        + " promises it is not (it needs appendonly yes" + (d == Durability.INTERVAL ? ""
        : " and appendfsync always") + ")";
  }

  static String key(String topic) {
    return KEY_PREFIX + topic + "}";
  }

  @Override
  public String publish(String topic, byte[] payload) {
    return publishAll(topic, List.of(payload)).get(0);
  }

  @Override
  public List<String> publishAll(String topic, List<byte[]> payloads) {
    checkPublish(topic, payloads);
    if (payloads.isEmpty()) {
      return List.of();
    }
    String key = key(topic);
    awaitRoom(topic, key, payloads.size());
    List<String> ids = add(key, payloads, null);
    counters.published.add(ids.size());
    return ids;
  }

  private void checkPublish(String topic, List<byte[]> payloads) {
    Names.check("topic", topic);
    checkOpen();
    for (byte[] p : payloads) {
      Objects.requireNonNull(p, "payload");
      if (p.length > config.maxMessageBytes()) {
        throw new RecordTooLargeException(config.name() + " - a message of " + p.length
            + " bytes for topic '" + topic + "' is over the limit of " + config.maxMessageBytes()
            + " bytes (max-message-bytes)");
      }
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>On Redis the bound of the topic is checked on the caller's thread; the {@code XADD} is sent
   * by the queue's sender thread, pipelined with every other async publish queued meanwhile, and
   * the future completes with Redis's reply.
   */
  @Override
  public CompletableFuture<String> publishAsync(String topic, byte[] payload) {
    return publishAllAsync(topic, List.of(payload)).thenApply(ids -> ids.get(0));
  }

  @Override
  public CompletableFuture<List<String>> publishAllAsync(String topic, List<byte[]> payloads) {
    checkPublish(topic, payloads);
    if (payloads.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    String key = key(topic);
    int n = payloads.size();
    awaitRoom(topic, key, n);
    inFlight.acquire(topic, n);
    CompletableFuture<List<String>> ids;
    try {
      // copied now: the caller may reuse its arrays once the call returned, as after publish
      List<byte[]> copies = new ArrayList<>(n);
      payloads.forEach(p -> copies.add(p.clone()));
      ids = sender().submit(key, copies);
    } catch (RuntimeException | Error e) {
      inFlight.release(n);
      throw e;
    }
    return ids.whenComplete((done, failure) -> {
      inFlight.release(n);
      if (done != null) {
        counters.published.add(done.size());
      }
    });
  }

  private RedisSender sender() {
    senderLock.lock();
    try {
      checkOpen();
      if (sender == null) {
        sender = new RedisSender(jedis, config.name());
      }
      return sender;
    } finally {
      senderLock.unlock();
    }
  }

  private List<String> add(String key, List<byte[]> payloads, DeadLetter deadLetter) {
    byte[] k = StreamFields.bytes(key);
    XAddParams params = XAddParams.xAddParams();
    try {
      if (payloads.size() == 1) {
        byte[] id = jedis.xadd(k, params, StreamFields.encode(payloads.get(0), deadLetter));
        return List.of(new String(id, java.nio.charset.StandardCharsets.UTF_8));
      }
      List<Response<byte[]>> responses = new ArrayList<>(payloads.size());
      try (AbstractPipeline p = jedis.pipelined()) {
        for (byte[] payload : payloads) {
          responses.add(p.xadd(k, params, StreamFields.encode(payload, deadLetter)));
        }
        p.sync();
      }
      List<String> ids = new ArrayList<>(responses.size());
      responses.forEach(r -> ids.add(new String(r.get(), java.nio.charset.StandardCharsets.UTF_8)));
      return ids;
    } catch (JedisException e) {
      throw new QueueException(config.name() + " - XADD to " + key + " failed: " + e.getMessage(), e);
    }
  }

  private void awaitRoom(String topic, String key, int n) {
    long max = config.maxPendingMessages();
    if (max == 0) {
      return;
    }
    if (n > max) {
      throw new QueueFullException(config.name() + " - a batch of " + n
          + " messages can never fit topic '" + topic + "', bounded to " + max);
    }
    long deadline = System.nanoTime() + config.publishTimeout().toNanos();
    while (true) {
      if (jedis.xlen(key) + n <= max || (SafeTrim.trim(jedis, key) >= 0 && jedis.xlen(key) + n <= max)) {
        return;
      }
      if (config.backPressure() == BackPressure.FAIL || System.nanoTime() >= deadline) {
        throw new QueueFullException(config.name() + " - topic '" + topic + "' holds " + max
            + " unacknowledged messages (max-pending-messages)"
            + (config.backPressure() == BackPressure.BLOCK
                ? " and stayed full for " + config.publishTimeout() : ""));
      }
      sleep(Math.min(10, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
    }
  }

  @Override
  public List<Message> poll(String topic, String group, String consumer, int max, Duration wait) {
    Names.check("topic", topic);
    Names.check("group", group);
    Names.check("consumer", consumer);
    Names.checkMax(max);
    Objects.requireNonNull(wait, "wait");
    checkOpen();
    String key = key(topic);
    ensureGroup(key, group);
    long deadline = System.nanoTime() + wait.toNanos();
    StreamReader reader = new StreamReader(jedis, config, counters, topic, key, group, consumer);
    while (true) {
      List<Message> out = new ArrayList<>();
      String tg = topic + "\u0000" + group;
      long now = System.currentTimeMillis();
      if (now >= nextClaim.getOrDefault(tg, 0L)) {
        String cursor = reader.claim(claimCursor.getOrDefault(tg, "0-0"), max, out,
            this::deadLetter);
        claimCursor.put(tg, cursor);
        nextClaim.put(tg, "0-0".equals(cursor) ? now + config.claimInterval().toMillis() : now);
      }
      long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (out.size() < max) {
        int block = out.isEmpty() && remainingMillis >= 1
            ? (int) Math.min(remainingMillis, config.claimInterval().toMillis()) : 0;
        reader.readNew(max - out.size(), block, out);
      }
      if (!out.isEmpty() || System.nanoTime() >= deadline) {
        counters.delivered.add(out.size());
        return out;
      }
    }
  }

  private void ensureGroup(String key, String group) {
    String kg = key + "\u0000" + group;
    if (groupsCreated.contains(kg)) {
      return;
    }
    try {
      jedis.xgroupCreate(key, group, new StreamEntryID(0, 0), true);
    } catch (JedisDataException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("BUSYGROUP")) {
        throw new QueueException(config.name() + " - XGROUP CREATE " + key + " " + group
            + " failed: " + e.getMessage(), e);
      }
    }
    groupsCreated.add(kg);
  }

  /** Adds the entry to the dead-letter stream, then acknowledges it in its group. */
  private void deadLetter(Message m, int deliveries) {
    String outcome = outcomes.remove(outcomeKey(m));
    String reason = "delivered " + deliveries + " times (max deliveries " + config.maxDeliveries()
        + "), last: " + (outcome == null ? "visibility timeout expired" : outcome);
    add(key(MessageQueue.deadLetterTopic(m.topic())), List.of(m.payload()),
        new DeadLetter(m.topic(), m.id(), m.group(), deliveries, reason));
    jedis.xack(key(m.topic()), m.group(), new StreamEntryID(m.id()));
    counters.deadLettered.increment();
  }

  private static String outcomeKey(Message m) {
    return m.topic() + "\u0000" + m.group() + "\u0000" + m.id();
  }

  @Override
  public void ack(Message message) {
    ackAll(List.of(message));
  }

  @Override
  public void ackAll(List<Message> messages) {
    checkOpen();
    Map<String, List<Message>> byGroup = new LinkedHashMap<>();
    for (Message m : messages) {
      byGroup.computeIfAbsent(m.topic() + "\u0000" + m.group(), k -> new ArrayList<>()).add(m);
    }
    for (List<Message> same : byGroup.values()) {
      Message first = same.get(0);
      StreamEntryID[] ids = same.stream().map(m -> new StreamEntryID(m.id()))
          .toArray(StreamEntryID[]::new);
      try {
        counters.acked.add(jedis.xack(key(first.topic()), first.group(), ids));
      } catch (JedisException e) {
        throw new QueueException(config.name() + " - XACK on " + key(first.topic()) + " failed: "
            + e.getMessage(), e);
      }
      same.forEach(m -> outcomes.remove(outcomeKey(m)));
      trimIfDue(first.topic());
    }
  }

  private void trimIfDue(String topic) {
    long now = System.currentTimeMillis();
    if (now < nextTrim.getOrDefault(topic, 0L)) {
      return;
    }
    nextTrim.put(topic, now + config.claimInterval().toMillis());
    try {
      SafeTrim.trim(jedis, key(topic));
    } catch (RuntimeException e) {
      // Trimming is housekeeping: it must never fail the ack or publish that triggered it.
      LOG.warn("{} - trimming {} failed: {}", config.name(), key(topic), e.toString());
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
    long timeout = config.visibilityTimeout().toMillis();
    long delay = redeliverAfter.compareTo(config.visibilityTimeout()) >= 0 ? timeout
        : redeliverAfter.toMillis();
    Object given;
    try {
      given = jedis.eval(NACK_CURRENT_DELIVERY, List.of(key(message.topic())),
          List.of(message.group(), message.id(), Integer.toString(message.deliveryCount()),
              Long.toString(timeout - delay)));
    } catch (JedisException e) {
      throw new QueueException(config.name() + " - XCLAIM (nack) on " + key(message.topic())
          + " failed: " + e.getMessage(), e);
    }
    if (!Long.valueOf(1).equals(given)) {
      return; // not pending any more, or redelivered since: the current holder keeps it
    }
    outcomes.put(outcomeKey(message), reason);
    String tg = message.topic() + "\u0000" + message.group();
    nextClaim.merge(tg, System.currentTimeMillis() + delay, Math::min);
  }

  @Override
  public long lag(String topic, String group) {
    try {
      for (StreamGroupInfo g : jedis.xinfoGroups(key(topic))) {
        if (g.getName().equals(group)) {
          Object lag = g.getGroupInfo().get("lag");
          long undelivered = lag instanceof Long l ? l : 0;
          return g.getPending() + undelivered;
        }
      }
      return 0;
    } catch (JedisDataException e) {
      return 0;
    }
  }

  @Override
  public List<String> groups(String topic) {
    try {
      return jedis.xinfoGroups(key(topic)).stream().map(StreamGroupInfo::getName).toList();
    } catch (JedisDataException e) {
      return List.of();
    }
  }

  @Override
  public QueueStats stats() {
    return counters.snapshot();
  }

  @Override
  public String name() {
    return config.name();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(config.name() + " - the queue is closed");
    }
  }

  /** Sends what async publishes queued (bounded wait) and fails what is left; leaves the client open. */
  @Override
  public void close() {
    RedisSender s;
    senderLock.lock();
    try {
      closed = true;
      s = sender;
    } finally {
      senderLock.unlock();
    }
    if (s != null) {
      s.close();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueException("interrupted while waiting for room", e);
    }
  }
}
