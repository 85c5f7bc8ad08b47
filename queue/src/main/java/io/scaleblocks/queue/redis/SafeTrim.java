package io.scaleblocks.queue.redis;

import java.util.List;
import redis.clients.jedis.UnifiedJedis;

/**
 * Trims a stream with {@code XTRIM MINID} below the oldest entry some group still needs: for a
 * group with pending entries its oldest pending id, otherwise the entry after its last delivered
 * one. A stream without groups is not trimmed (nobody has taken its messages yet). So trimming
 * never drops an unacknowledged message; {@code MAXLEN} could, which is why the bound on a topic
 * is back-pressure on publish instead.
 *
 * <p>One script ({@link #TRIM}, by {@code EVALSHA}, or {@code EVAL} where it is not cached) reads the groups, their oldest pending
 * entries and trims, in one round trip; being atomic, no acknowledgement or delivery can come
 * between what it reads and what it trims. Stateless and thread-safe.
 */
final class SafeTrim {

  /**
   * KEYS[1] the stream. Returns the entries removed (0 when the stream or its groups do not exist).
   * Ids are compared as (milliseconds, sequence); both fit a Lua number exactly for the ids Redis
   * generates (milliseconds below 2^53).
   */
  static final String TRIM = String.join("\n",
      "local groups = redis.pcall('XINFO', 'GROUPS', KEYS[1])",
      "if type(groups) ~= 'table' or groups.err or #groups == 0 then return 0 end",
      "local minMs, minSeq",
      "for _, g in ipairs(groups) do",
      "  local f = {}",
      "  for i = 1, #g, 2 do f[g[i]] = g[i + 1] end",
      "  local id, next = f['last-delivered-id'], 1",
      "  if f['pending'] > 0 then",
      "    id, next = redis.call('XPENDING', KEYS[1], f['name'])[2], 0",
      "  end",
      "  local ms, seq = string.match(id, '^(%d+)-(%d+)$')",
      "  ms, seq = tonumber(ms), tonumber(seq) + next",
      "  if minMs == nil or ms < minMs or (ms == minMs and seq < minSeq) then",
      "    minMs, minSeq = ms, seq",
      "  end",
      "end",
      "return redis.call('XTRIM', KEYS[1], 'MINID', string.format('%.0f-%.0f', minMs, minSeq))");
  static final String TRIM_SHA = RedisCommands.sha1(TRIM);

  private SafeTrim() {}

  /** Trims what every group is done with; returns the entries removed. */
  static long trim(UnifiedJedis jedis, String key) {
    return (Long) RedisCommands.bySha(() -> jedis.evalsha(TRIM_SHA, List.of(key), List.of()),
        () -> jedis.eval(TRIM, List.of(key), List.of()));
  }
}
