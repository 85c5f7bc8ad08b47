package io.scaleblocks.queue.redis;

import java.util.List;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XTrimParams;
import redis.clients.jedis.resps.StreamGroupInfo;
import redis.clients.jedis.resps.StreamPendingSummary;

/**
 * Trims a stream with {@code XTRIM MINID} below the oldest entry some group still needs: for a
 * group with pending entries its oldest pending id, otherwise the entry after its last delivered
 * one. A stream without groups is not trimmed (nobody has taken its messages yet). So trimming
 * never drops an unacknowledged message; {@code MAXLEN} could, which is why the bound on a topic
 * is back-pressure on publish instead.
 */
final class SafeTrim {

  private SafeTrim() {}

  /** The lowest id any group still needs, or {@code null} when the stream has no group. */
  static StreamEntryID safeMinId(UnifiedJedis jedis, String key) {
    List<StreamGroupInfo> groups;
    try {
      groups = jedis.xinfoGroups(key);
    } catch (JedisDataException e) {
      return null;
    }
    StreamEntryID min = null;
    for (StreamGroupInfo g : groups) {
      StreamEntryID needed;
      if (g.getPending() > 0) {
        StreamPendingSummary s = jedis.xpending(key, g.getName());
        needed = s.getMinId();
      } else {
        StreamEntryID last = g.getLastDeliveredId();
        needed = new StreamEntryID(last.getTime(), last.getSequence() + 1);
      }
      if (min == null || needed.compareTo(min) < 0) {
        min = needed;
      }
    }
    return min;
  }

  /** Trims what every group is done with; returns the entries removed. */
  static long trim(UnifiedJedis jedis, String key) {
    StreamEntryID min = safeMinId(jedis, key);
    if (min == null) {
      return 0;
    }
    return jedis.xtrim(key, XTrimParams.xTrimParams().minId(min.toString()));
  }
}
