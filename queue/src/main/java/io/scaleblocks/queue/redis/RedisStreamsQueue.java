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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Builder;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.args.Rawable;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.resps.StreamGroupInfo;
import redis.clients.jedis.util.KeyValue;
import redis.clients.jedis.util.SafeEncoder;

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
 *       claimable after the delay (capped at the visibility timeout), and keeps its reason in Redis
 *       beside the stream ({@code sbq:{<topic>}:nack:<group>:<id>}, with the delivery it ended),
 *       so that whichever process dead-letters the entry names it. The {@code XACK} of a
 *       redelivered entry deletes that key in the same round trip, a dead letter deletes it, and
 *       it expires after {@link #NACK_REASON_TTL} in any case; a dead letter whose last delivery
 *       was not nacked says the lease expired. The same script checks first that the entry is
 *       still pending with the nacked delivery's count, so a late nack from a consumer whose
 *       lease expired leaves the entry with its current holder.
 *   <li>Acknowledged entries are trimmed with {@code XTRIM MINID} below what every group still
 *       needs ({@link SafeTrim}), once per claim interval. A bounded topic pushes back on
 *       publish: one script ({@link RedisCommands#BOUNDED_ADD}, by {@code EVALSHA}, or {@code EVAL} where it is not cached) counts the
 *       stream and adds the batch only if it fits, so concurrent publishers cannot overfill it.
 * </ul>
 *
 * <p>Thread-safe. The {@link UnifiedJedis} is the caller's: {@link #close()} does not close it.
 */
public final class RedisStreamsQueue implements MessageQueue {

  private static final Logger LOG = LoggerFactory.getLogger(RedisStreamsQueue.class);
  private static final String KEY_PREFIX = "sbq:{";
  /**
   * The longest a poll's {@code XREADGROUP} blocks in Redis: its reply is read under the client's
   * socket timeout (Jedis' default 2 s), so that a server that stops answering fails the poll.
   */
  static final int MAX_BLOCK_MILLIS = 1000;

  /**
   * Gives an entry back only if its pending delivery count is still the nacked delivery's: a late
   * nack from a consumer whose lease expired must not take the entry from its current holder.
   * Then keeps the reason, with that count, under the entry's reason key ({@link #reasonKey}).
   * KEYS[1] stream, KEYS[2] reason key; ARGV group, id, delivery count, idle to set, reason,
   * milliseconds the reason is kept.
   */
  private static final String NACK_CURRENT_DELIVERY = String.join("\n",
      "local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)",
      "if #p == 0 or tonumber(p[1][4]) ~= tonumber(ARGV[3]) then return 0 end",
      "redis.call('XCLAIM', KEYS[1], ARGV[1], 'nacked', 0, ARGV[2], 'IDLE', ARGV[4],",
      "  'RETRYCOUNT', ARGV[3], 'JUSTID')",
      "redis.call('SET', KEYS[2], ARGV[3] .. ':' .. ARGV[5], 'PX', ARGV[6])",
      "return 1");
  /**
   * How long a nack's reason outlives the nack when its entry is neither acknowledged nor
   * dead-lettered (say, trimmed with its group deleted).
   */
  static final Duration NACK_REASON_TTL = Duration.ofDays(7);
  static final int MAX_REASON_CHARS = 1_000;

  private final UnifiedJedis jedis;
  private final QueueConfig config;
  private final QueueCounters counters = new QueueCounters();
  private final Map<String, Topic> topics = new ConcurrentHashMap<>();
  private final Map<String, Map<String, GroupPoll>> groupPolls = new ConcurrentHashMap<>();
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
    String aof;
    String fsync;
    try {
      aof = configValue(jedis, "appendonly");
      fsync = configValue(jedis, "appendfsync");
    } catch (JedisException | UnsupportedOperationException e) {
      return "could not read the server's appendonly/appendfsync (" + e.getMessage()
          + "); durability " + d + " is not checked";
    }
    boolean enough = "yes".equals(aof) && (d == Durability.INTERVAL || "always".equals(fsync));
    return enough ? null : "Redis runs with appendonly=" + aof + ", appendfsync=" + fsync
        + ": a publish that returned can be lost if Redis stops, which durability " + d
        + " promises it is not (it needs appendonly yes" + (d == Durability.INTERVAL ? ""
        : " and appendfsync always") + ")";
  }

  /**
   * One server setting by {@code CONFIG GET}, built as a command of its own: Jedis 7.2 has no {@code configGet} on
   * {@code UnifiedJedis}. The reply is {@code [name, value]} over RESP2 and a map over RESP3,
   * which Jedis hands over as a list of key-value pairs; "?" when it holds no value.
   */
  private static final Builder<Object> RAW_REPLY = new Builder<>() {
    @Override
    public Object build(Object data) {
      return data;
    }
  };

  static String configValue(UnifiedJedis jedis, String name) {
    Object reply = jedis.executeCommand(new CommandObject<>(
        RedisCommands.arguments(Protocol.Command.CONFIG).add("GET").add(name), RAW_REPLY));
    if (reply instanceof List<?> list) {
      if (list.size() == 2 && list.get(1) instanceof byte[] value) {
        return SafeEncoder.encode(value);
      }
      for (Object entry : list) {
        if (entry instanceof KeyValue<?, ?> pair && pair.getValue() instanceof byte[] value) {
          return SafeEncoder.encode(value);
        }
      }
    }
    return "?";
  }

  static String key(String topic) {
    return KEY_PREFIX + topic + "}";
  }

  /**
   * A topic's stream key (as text and as the bytes sent), when it is next trimmed, and how many
   * messages of this queue's async publishes are queued for it and not answered yet (guarded by
   * the object's monitor).
   */
  private static final class Topic {
    final String name;
    final String key;
    final Rawable raw;
    final AtomicLong nextTrim = new AtomicLong();
    long queued;

    Topic(String name) {
      this.name = name;
      this.key = key(name);
      this.raw = RedisCommands.raw(key);
    }

    synchronized void unqueue(int n) {
      queued -= n;
    }
  }

  /**
   * A group's state in this queue: whether its stream group exists, when its pending entries are
   * next scanned for expired leases, and where that scan resumes ("0-0": from the start).
   */
  private static final class GroupPoll {
    final Rawable raw;
    final AtomicLong nextClaim = new AtomicLong();
    volatile boolean created;
    volatile String cursor = "0-0";

    GroupPoll(String group) {
      this.raw = RedisCommands.raw(group);
    }
  }

  private Topic topic(String name) {
    Topic t = topics.get(name);
    return t != null ? t : topics.computeIfAbsent(name, Topic::new);
  }

  private GroupPoll groupPoll(String topic, String group) {
    Map<String, GroupPoll> byGroup = groupPolls.get(topic);
    if (byGroup == null) {
      byGroup = groupPolls.computeIfAbsent(topic, k -> new ConcurrentHashMap<>());
    }
    GroupPoll g = byGroup.get(group);
    return g != null ? g : byGroup.computeIfAbsent(group, GroupPoll::new);
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
    Topic t = topic(topic);
    List<String> ids = config.maxPendingMessages() > 0 ? addBounded(t, payloads) : add(t, payloads);
    counters.published.add(ids.size());
    return ids;
  }

  private void checkPublish(String topic, List<byte[]> payloads) {
    Names.checkTopic(topic);
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
   * <p>On Redis the bound of the topic is checked on the caller's thread (the stream's length plus
   * what this queue has queued for it); the {@code XADD} is sent by the queue's sender thread,
   * pipelined with every other async publish queued meanwhile, and the future completes with
   * Redis's reply. On a bounded topic the sender adds the batch with the bound's script, which
   * checks again: if a publisher elsewhere took the room in between, the future fails with a
   * {@link QueueFullException} and nothing of the batch is written.
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
    Topic t = topic(topic);
    int n = payloads.size();
    long bound = config.maxPendingMessages();
    if (bound > 0) {
      reserveRoom(t, n);
    }
    CompletableFuture<List<String>> ids;
    try {
      inFlight.acquire(topic, n);
      try {
        // copied now: the caller may reuse its arrays once the call returned, as after publish
        List<byte[]> copies = new ArrayList<>(n);
        payloads.forEach(p -> copies.add(p.clone()));
        ids = sender().submit(t.name, t.key, t.raw, copies, bound);
      } catch (RuntimeException | Error e) {
        inFlight.release(n);
        throw e;
      }
    } catch (RuntimeException | Error e) {
      if (bound > 0) {
        t.unqueue(n);
      }
      throw e;
    }
    return ids.whenComplete((done, failure) -> {
      if (bound > 0) {
        t.unqueue(n);
      }
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

  /** {@code XADD}s, pipelined when more than one: one round trip either way. */
  private List<String> add(Topic t, List<byte[]> payloads) {
    try {
      if (payloads.size() == 1) {
        return List.of(jedis.executeCommand(RedisCommands.xadd(t.raw, payloads.get(0))));
      }
      List<Response<String>> responses = new ArrayList<>(payloads.size());
      try (AbstractPipeline p = jedis.pipelined()) {
        for (byte[] payload : payloads) {
          responses.add(p.executeCommand(RedisCommands.xadd(t.raw, payload)));
        }
        p.sync();
      }
      List<String> ids = new ArrayList<>(responses.size());
      for (Response<String> r : responses) {
        ids.add(r.get());
      }
      return ids;
    } catch (JedisException e) {
      throw new QueueException(config.name() + " - XADD to " + t.key + " failed: " + e.getMessage(), e);
    }
  }

  /** A dead letter's {@code XADD}, with the fields that say where it came from. */
  private void addDeadLetter(String key, byte[] payload, DeadLetter deadLetter) {
    try {
      jedis.xadd(StreamFields.bytes(key), XAddParams.xAddParams(),
          StreamFields.encode(payload, deadLetter));
    } catch (JedisException e) {
      throw new QueueException(config.name() + " - XADD to " + key + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Publishes to a bounded topic: one {@link RedisCommands#BOUNDED_ADD} script counts the stream
   * and adds the whole batch only if it fits, so the check and the add are one round trip and
   * concurrent publishers (of any process) cannot both take the last room. When it does not fit,
   * acknowledged entries are trimmed ({@link SafeTrim}) and it is tried again; then it fails or
   * waits, as the back-pressure setting says.
   */
  private List<String> addBounded(Topic t, List<byte[]> payloads) {
    long max = config.maxPendingMessages();
    int n = payloads.size();
    checkFits(t, n);
    long deadline = System.nanoTime() + config.publishTimeout().toNanos();
    while (true) {
      List<String> ids = evalBoundedAdd(t, max, payloads);
      if (ids == null) {
        trim(t);
        ids = evalBoundedAdd(t, max, payloads);
      }
      if (ids != null) {
        return ids;
      }
      waitForRoom(t, deadline);
    }
  }

  private List<String> evalBoundedAdd(Topic t, long max, List<byte[]> payloads) {
    try {
      return RedisCommands.bySha(
          () -> jedis.executeCommand(RedisCommands.boundedAdd(t.raw, max, payloads, false)),
          () -> jedis.executeCommand(RedisCommands.boundedAdd(t.raw, max, payloads, true)));
    } catch (JedisException e) {
      throw new QueueException(config.name() + " - XADD to " + t.key + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Before an async publish to a bounded topic, on the caller's thread: waits (or fails) until the
   * stream's length plus what this queue has queued for it leaves room for {@code n}, and counts
   * them as queued. The sender's {@link RedisCommands#BOUNDED_ADD} checks again when it adds them,
   * so a publisher of another queue that took the room meanwhile fails the future instead.
   */
  private void reserveRoom(Topic t, int n) {
    checkFits(t, n);
    long deadline = System.nanoTime() + config.publishTimeout().toNanos();
    while (true) {
      if (tryReserve(t, n)) {
        return;
      }
      trim(t);
      if (tryReserve(t, n)) {
        return;
      }
      waitForRoom(t, deadline);
    }
  }

  private boolean tryReserve(Topic t, int n) {
    synchronized (t) {
      long length;
      try {
        length = jedis.xlen(t.key);
      } catch (JedisException e) {
        throw new QueueException(config.name() + " - XLEN of " + t.key + " failed: "
            + e.getMessage(), e);
      }
      if (length + t.queued + n > config.maxPendingMessages()) {
        return false;
      }
      t.queued += n;
      return true;
    }
  }

  /** {@link SafeTrim#trim} before a publish to a full topic tries again. */
  private void trim(Topic t) {
    try {
      SafeTrim.trim(jedis, t.key);
    } catch (JedisException e) {
      throw new QueueException(config.name() + " - trimming " + t.key + " failed: "
          + e.getMessage(), e);
    }
  }

  private void checkFits(Topic t, int n) {
    long max = config.maxPendingMessages();
    if (n > max) {
      throw new QueueFullException(config.name() + " - a batch of " + n
          + " messages can never fit topic '" + t.name + "', bounded to " + max);
    }
  }

  /** After a full topic: throws under {@code FAIL} or past the deadline, otherwise sleeps a little. */
  private void waitForRoom(Topic t, long deadline) {
    if (config.backPressure() == BackPressure.FAIL || System.nanoTime() >= deadline) {
      throw new QueueFullException(config.name() + " - topic '" + t.name + "' holds "
          + config.maxPendingMessages() + " unacknowledged messages (max-pending-messages)"
          + (config.backPressure() == BackPressure.BLOCK
              ? " and stayed full for " + config.publishTimeout() : ""));
    }
    sleep(Math.min(10, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
  }

  @Override
  public List<Message> poll(String topic, String group, String consumer, int max, Duration wait) {
    Names.checkTopic(topic);
    Names.check("group", group);
    Names.check("consumer", consumer);
    Names.checkMax(max);
    Objects.requireNonNull(wait, "wait");
    checkOpen();
    Topic t = topic(topic);
    GroupPoll g = groupPoll(topic, group);
    ensureGroup(t, g, group);
    long deadline = System.nanoTime() + wait.toNanos();
    Rawable rawConsumer = RedisCommands.raw(consumer);
    while (true) {
      List<Message> out = new ArrayList<>();
      long now = System.currentTimeMillis();
      if (now >= g.nextClaim.get()) {
        StreamReader reader = new StreamReader(jedis, config, counters, topic, t.key, group, consumer);
        String cursor = reader.claim(g.cursor, max, out, this::deadLetter);
        g.cursor = cursor;
        g.nextClaim.set("0-0".equals(cursor) ? now + config.claimInterval().toMillis() : now);
      }
      long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (out.size() < max) {
        int block = out.isEmpty() && remainingMillis >= 1 ? (int) Math.min(MAX_BLOCK_MILLIS,
            Math.min(remainingMillis, config.claimInterval().toMillis())) : 0;
        readNew(t, topic, group, g, rawConsumer, max - out.size(), block, out);
      }
      if (!out.isEmpty() || System.nanoTime() >= deadline) {
        counters.delivered.add(out.size());
        return out;
      }
      if (Thread.currentThread().isInterrupted()) {
        // Jedis does not end a read on an interrupt; between reads, the poll ends as a local one does
        throw new QueueException(config.name() + " - interrupted while polling " + t.key + " for "
            + group);
      }
    }
  }

  /** Reads up to {@code max} never-delivered entries, blocking up to {@code blockMillis} (0: not). */
  private void readNew(Topic t, String topic, String group, GroupPoll g, Rawable consumer, int max,
      int blockMillis, List<Message> out) {
    try {
      jedis.executeCommand(RedisCommands.readNew(topic, group, t.raw, g.raw, consumer, max,
          blockMillis, out));
    } catch (JedisException e) {
      throw new QueueException(config.name() + " - XREADGROUP on " + t.key + " failed: "
          + e.getMessage(), e);
    }
  }

  private void ensureGroup(Topic t, GroupPoll g, String group) {
    if (g.created) {
      return;
    }
    try {
      jedis.xgroupCreate(t.key, group, new StreamEntryID(0, 0), true);
    } catch (JedisException e) {
      if (!(e instanceof JedisDataException) || e.getMessage() == null
          || !e.getMessage().startsWith("BUSYGROUP")) {
        throw new QueueException(config.name() + " - XGROUP CREATE " + t.key + " " + group
            + " failed: " + e.getMessage(), e);
      }
    }
    g.created = true;
  }

  /**
   * Adds the entry to the dead-letter stream, with the reason of the nack that ended its last
   * delivery if one did, then acknowledges it in its group and drops that reason.
   */
  private void deadLetter(Message m, int deliveries) {
    String reason = "delivered " + deliveries + " times (max deliveries " + config.maxDeliveries()
        + "), last: " + lastNackReason(m, deliveries).orElse("visibility timeout expired");
    addDeadLetter(key(MessageQueue.deadLetterTopic(m.topic())), m.payload(),
        new DeadLetter(m.topic(), m.id(), m.group(), deliveries, reason));
    Topic t = topic(m.topic());
    acknowledge(t, groupPoll(m.topic(), m.group()), List.of(m), true);
    counters.deadLettered.increment();
  }

  /**
   * The reason of the nack that ended delivery number {@code delivery} of the entry, nacked by
   * this process or any other; empty when that delivery was not nacked (its lease expired).
   */
  private Optional<String> lastNackReason(Message m, int delivery) {
    String kept;
    try {
      kept = jedis.get(reasonKey(m));
    } catch (JedisException e) {
      throw new QueueException(config.name() + " - GET of the nack reason of " + m.id() + " on "
          + key(m.topic()) + " failed: " + e.getMessage(), e);
    }
    if (kept == null) {
      return Optional.empty();
    }
    int colon = kept.indexOf(':');
    boolean thatDelivery = colon > 0 && kept.substring(0, colon).equals(Integer.toString(delivery));
    return thatDelivery ? Optional.of(kept.substring(colon + 1)) : Optional.empty();
  }

  /** The part of a nack's reason kept: its first {@value #MAX_REASON_CHARS} characters. */
  private static String kept(String reason) {
    if (reason.length() <= MAX_REASON_CHARS) {
      return reason;
    }
    int end = Character.isLowSurrogate(reason.charAt(MAX_REASON_CHARS)) ? MAX_REASON_CHARS - 1
        : MAX_REASON_CHARS;
    return reason.substring(0, end);
  }

  /**
   * Where a nack's reason is kept until the entry is acknowledged or dead-lettered:
   * {@code sbq:{<topic>}:nack:<group>:<id>}, in the stream's slot.
   */
  static String reasonKey(Message m) {
    return key(m.topic()) + ":nack:" + m.group() + ":" + m.id();
  }

  @Override
  public void ack(Message message) {
    ackAll(List.of(message));
  }

  /**
   * {@inheritDoc}
   *
   * <p>One {@code XACK} per topic and group of the batch (one round trip for a poll's messages).
   */
  @Override
  public void ackAll(List<Message> messages) {
    checkOpen();
    if (messages.isEmpty()) {
      return;
    }
    Message first = messages.get(0);
    boolean oneGroup = true;
    for (Message m : messages) {
      if (!m.group().equals(first.group()) || !m.topic().equals(first.topic())) {
        oneGroup = false;
        break;
      }
    }
    if (oneGroup) {
      ackSameGroup(messages);
      return;
    }
    Map<String, List<Message>> byGroup = new LinkedHashMap<>();
    for (Message m : messages) {
      byGroup.computeIfAbsent(m.topic() + "\u0000" + m.group(), k -> new ArrayList<>()).add(m);
    }
    byGroup.values().forEach(this::ackSameGroup);
  }

  private void ackSameGroup(List<Message> same) {
    Message first = same.get(0);
    Topic t = topic(first.topic());
    counters.acked.add(acknowledge(t, groupPoll(first.topic(), first.group()), same, false));
    trimIfDue(t);
  }

  /**
   * {@code XACK}s entries of one group, in the same round trip deleting the nack reasons they may
   * have: of every entry when {@code allReasons}, otherwise of the redelivered ones (a first
   * delivery has none, unless its holder nacked it and acknowledged it after all, a reason then
   * left to its expiry). Returns how many entries Redis acknowledged.
   */
  private long acknowledge(Topic t, GroupPoll g, List<Message> same, boolean allReasons) {
    List<String> reasons = null;
    for (Message m : same) {
      if (allReasons || m.deliveryCount() > 1) {
        if (reasons == null) {
          reasons = new ArrayList<>();
        }
        reasons.add(reasonKey(m));
      }
    }
    try {
      if (reasons == null) {
        return jedis.executeCommand(RedisCommands.xack(t.raw, g.raw, same));
      }
      Response<Long> acked;
      try (AbstractPipeline p = jedis.pipelined()) {
        acked = p.executeCommand(RedisCommands.xack(t.raw, g.raw, same));
        p.del(reasons.toArray(String[]::new));
        p.sync();
      }
      return acked.get();
    } catch (JedisException e) {
      throw new QueueException(config.name() + " - XACK on " + t.key + " failed: "
          + e.getMessage(), e);
    } catch (IllegalStateException e) {
      // a cluster pipeline logs a node's connection failure and leaves its replies unset
      throw new QueueException(config.name() + " - XACK on " + t.key + " got no reply", e);
    }
  }

  private void trimIfDue(Topic t) {
    long now = System.currentTimeMillis();
    long due = t.nextTrim.get();
    if (now < due || !t.nextTrim.compareAndSet(due, now + config.claimInterval().toMillis())) {
      return;
    }
    try {
      SafeTrim.trim(jedis, t.key);
    } catch (RuntimeException e) {
      // Trimming is housekeeping: it must never fail the ack or publish that triggered it.
      LOG.warn("{} - trimming {} failed: {}", config.name(), t.key, e.toString());
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
      given = jedis.eval(NACK_CURRENT_DELIVERY, List.of(key(message.topic()), reasonKey(message)),
          List.of(message.group(), message.id(), Integer.toString(message.deliveryCount()),
              Long.toString(timeout - delay), kept(reason), Long.toString(NACK_REASON_TTL.toMillis())));
    } catch (JedisException e) {
      throw new QueueException(config.name() + " - XCLAIM (nack) on " + key(message.topic())
          + " failed: " + e.getMessage(), e);
    }
    if (!Long.valueOf(1).equals(given)) {
      return; // not pending any more, or redelivered since: the current holder keeps it
    }
    groupPoll(message.topic(), message.group()).nextClaim
        .accumulateAndGet(System.currentTimeMillis() + delay, Math::min);
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
      return 0; // no such stream
    } catch (JedisException e) {
      throw new QueueException(config.name() + " - XINFO GROUPS " + key(topic) + " failed: "
          + e.getMessage(), e);
    }
  }

  @Override
  public List<String> groups(String topic) {
    try {
      return jedis.xinfoGroups(key(topic)).stream().map(StreamGroupInfo::getName).toList();
    } catch (JedisDataException e) {
      return List.of(); // no such stream
    } catch (JedisException e) {
      throw new QueueException(config.name() + " - XINFO GROUPS " + key(topic) + " failed: "
          + e.getMessage(), e);
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
