package io.scaleblocks.queue.redis;

import io.scaleblocks.queue.Message;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.queue.QueueException;
import io.scaleblocks.queue.internal.QueueCounters;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XPendingParams;
import redis.clients.jedis.resps.StreamPendingEntry;

/** One poll's claims of expired leases of one stream for one consumer. */
final class StreamReader {

  interface DeadLetters {
    void deadLetter(Message message, int deliveries);
  }

  private final UnifiedJedis jedis;
  private final QueueConfig config;
  private final QueueCounters counters;
  private final String topic;
  private final String key;
  private final String group;
  private final String consumer;

  StreamReader(UnifiedJedis jedis, QueueConfig config, QueueCounters counters, String topic,
      String key, String group, String consumer) {
    this.jedis = jedis;
    this.config = config;
    this.counters = counters;
    this.topic = topic;
    this.key = key;
    this.group = group;
    this.consumer = consumer;
  }

  /**
   * Claims up to {@code max} entries idle for a visibility timeout with {@code XAUTOCLAIM} (which
   * bumps their delivery counters), reads each one's counter with an {@code XPENDING} of its own
   * (one pipeline), and delivers or
   * dead-letters each. The scan starts at {@code cursor}; returns where the next one resumes,
   * {@code "0-0"} when it reached the end of the pending entries.
   */
  String claim(String cursor, int max, List<Message> out, DeadLetters deadLetters) {
    List<Object> reply;
    try {
      reply = jedis.xautoclaim(StreamFields.bytes(key), StreamFields.bytes(group),
          StreamFields.bytes(consumer), config.visibilityTimeout().toMillis(),
          StreamFields.bytes(cursor), XAutoClaimParams.xAutoClaimParams().count(max));
    } catch (JedisException e) {
      throw new QueueException(config.name() + " - XAUTOCLAIM on " + key + " failed: "
          + e.getMessage(), e);
    }
    String next = new String((byte[]) reply.get(0), StandardCharsets.UTF_8);
    List<?> entries = (List<?>) reply.get(1);
    if (entries.isEmpty()) {
      return next;
    }
    // each entry's own XPENDING: a range from the first to the last claimed one, limited to their
    // number, could instead list entries the consumer already held between them
    Map<String, Response<List<StreamPendingEntry>>> pending = new HashMap<>();
    try (AbstractPipeline p = jedis.pipelined()) {
      for (Object e : entries) {
        List<?> entry = (List<?>) e;
        if (entry.size() >= 2 && entry.get(1) != null) {
          StreamEntryID id = id(entry.get(0));
          pending.put(id.toString(), p.xpending(key, group, XPendingParams.xPendingParams(id, id, 1)));
        }
      }
      p.sync();
    } catch (JedisException e) {
      throw new QueueException(config.name() + " - XPENDING on " + key + " failed: "
          + e.getMessage(), e);
    }
    for (Object e : entries) {
      List<?> entry = (List<?>) e;
      if (entry.size() < 2 || entry.get(1) == null) {
        continue;
      }
      List<StreamPendingEntry> p;
      try {
        p = pending.get(id(entry.get(0)).toString()).get();
      } catch (JedisException ex) {
        throw new QueueException(config.name() + " - XPENDING on " + key + " failed: "
            + ex.getMessage(), ex);
      }
      // not pending any more: acknowledged meanwhile by an earlier holder's late ack
      if (p.isEmpty()) {
        continue;
      }
      int deliveries = (int) p.get(0).getDeliveredTimes();
      if (deliveries > config.maxDeliveries()) {
        Message m = RedisCommands.decodeEntry(topic, group, (byte[]) entry.get(0),
            (List<?>) entry.get(1), deliveries - 1);
        deadLetters.deadLetter(m, deliveries - 1);
      } else {
        out.add(RedisCommands.decodeEntry(topic, group, (byte[]) entry.get(0),
            (List<?>) entry.get(1), deliveries));
        counters.redelivered.increment();
      }
    }
    return next;
  }

  private static StreamEntryID id(Object raw) {
    return new StreamEntryID(new String((byte[]) raw, StandardCharsets.UTF_8));
  }
}
