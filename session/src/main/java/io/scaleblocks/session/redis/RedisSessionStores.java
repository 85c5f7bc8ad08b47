package io.scaleblocks.session.redis;

import io.scaleblocks.session.SessionIds;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStoreConfig;
import java.time.Clock;
import java.util.Objects;
import redis.clients.jedis.UnifiedJedis;

/**
 * The Redis store: one hash per session under {@code <prefix>{<tag>}<rest of the id>}, with a
 * native TTL at the session's deadline, so Redis removes expired sessions itself (no keyspace
 * notifications). The hash tag is the id's routing tag, which {@code changeId} keeps: every key
 * a session ever has lives in one Redis Cluster slot, and a rotation is one atomic {@code RENAME}.
 *
 * <pre>{@code
 * SessionStore store = RedisSessionStores.builder(RedisClient.create("redis://127.0.0.1:6379"))
 *     .config(SessionStoreConfig.ofDefaults()).build();
 * }</pre>
 *
 * <p>The client is the caller's: the store never closes it. Works with a standalone {@code
 * RedisClient} and with a {@code RedisClusterClient}.
 */
public final class RedisSessionStores {

  public static final String DEFAULT_KEY_PREFIX = "sb:session:";

  private RedisSessionStores() {}

  public static Builder builder(UnifiedJedis jedis) {
    return new Builder(jedis);
  }

  /** Configures a Redis store. Not thread-safe. */
  public static final class Builder {
    final UnifiedJedis jedis;
    SessionStoreConfig config = SessionStoreConfig.ofDefaults();
    SessionIds ids;
    Clock clock = Clock.systemUTC();
    String keyPrefix = DEFAULT_KEY_PREFIX;
    boolean principalIndex = true;

    Builder(UnifiedJedis jedis) {
      this.jedis = Objects.requireNonNull(jedis, "jedis");
    }

    public Builder config(SessionStoreConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    public Builder ids(SessionIds ids) {
      this.ids = Objects.requireNonNull(ids, "ids");
      return this;
    }

    /**
     * The clock the deadlines are computed on; the servers' clocks do not matter, since every TTL
     * is set relative to it. Clients of one store should have synchronised clocks.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Starts every key (no braces: the store adds the hash tag). */
    public Builder keyPrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (prefix.isEmpty() || prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
        throw new IllegalArgumentException("key prefix must be non-empty and without braces but was '" + prefix + "'");
      }
      this.keyPrefix = prefix;
      return this;
    }

    /** Whether to keep the per-principal index (default true; off saves a write per login). */
    public Builder principalIndex(boolean enabled) {
      this.principalIndex = enabled;
      return this;
    }

    public SessionStore build() {
      return new RedisSessionStore(this);
    }
  }
}
