package io.scaleblocks.cache.redis;

import io.scaleblocks.cache.CacheBackend;
import io.scaleblocks.cache.Codec;
import io.scaleblocks.config.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.LongSupplier;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * Redis backends for a {@code CacheAside}, and Jedis clients with timeouts that suit a cache.
 *
 * <pre>{@code
 * CacheBackend<String, User> redis = RedisCacheBackends.builder(
 *         RedisCacheBackends.standalone(new HostAndPort("127.0.0.1", 6379), Duration.ofMillis(100)),
 *         Codec.utf8(), userCodec)
 *     .prefix("users:").build();
 * }</pre>
 */
public final class RedisCacheBackends {

  public static final String DEFAULT_PREFIX = "sb:cache:";
  public static final int DEFAULT_FAILURE_THRESHOLD = 5;
  public static final Duration DEFAULT_OPEN_DURATION = Duration.ofSeconds(1);
  /** Socket and connect timeout of the clients made here: a cache slower than this is a miss. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(100);
  /**
   * How often the invalidation subscription is pinged; three missed answers declare it lost.
   * Keep three of these under the near cache's staleness bound (default 1 s).
   */
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofMillis(100);

  private static final Logger LOG = LoggerFactory.getLogger(RedisCacheBackends.class);
  /** The clients made here, whose timeouts are known to suit a cache. */
  private static final Set<UnifiedJedis> OURS = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  private RedisCacheBackends() {}

  public static <K, V> Builder<K, V> builder(UnifiedJedis jedis, Codec<K> keyCodec, Codec<V> valueCodec) {
    return new Builder<>(jedis, keyCodec, valueCodec);
  }

  /**
   * A client of one standalone Redis server (Jedis' {@link RedisClient}, which pools its
   * connections) whose connect, read and pool-wait timeouts are {@code timeout}. A client built
   * elsewhere keeps its own timeouts (Jedis' default is 2 s, twenty times the cache's 100 ms):
   * {@link Builder#build()} warns when it cannot tell that they suit a cache.
   */
  public static RedisClient standalone(HostAndPort server, Duration timeout) {
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(32);
    pool.setMaxWait(timeout);
    RedisClient client = RedisClient.builder().hostAndPort(server).clientConfig(clientConfig(timeout)).poolConfig(pool).build();
    OURS.add(client);
    return client;
  }

  /**
   * A Redis Cluster client with {@code timeout} and at most two attempts per command: the second
   * follows a MOVED/ASK redirection or a slot-map refresh after a failover, so a dead node costs at
   * most twice the timeout per call, and the breaker sees the failure instead of a retry storm.
   */
  public static RedisClusterClient cluster(Set<HostAndPort> seeds, Duration timeout) {
    RedisClusterClient client = RedisClusterClient.builder().nodes(seeds).clientConfig(clientConfig(timeout)).maxAttempts(2).build();
    OURS.add(client);
    return client;
  }

  private static JedisClientConfig clientConfig(Duration timeout) {
    int millis = (int) Math.max(1, timeout.toMillis());
    return DefaultJedisClientConfig.builder().connectionTimeoutMillis(millis).socketTimeoutMillis(millis).build();
  }

  /** Configures a Redis backend. Setters validate and name a bad value. */
  public static final class Builder<K, V> {
    final UnifiedJedis jedis;
    final Codec<K> keyCodec;
    final Codec<V> valueCodec;
    String name;
    String prefix = DEFAULT_PREFIX;
    int valueCodecVersion = EntryFormat.UNVERSIONED;
    int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
    Duration openDuration = DEFAULT_OPEN_DURATION;
    Duration heartbeat = DEFAULT_HEARTBEAT;
    LongSupplier ticker = System::nanoTime;
    Clock clock = Clock.systemUTC();

    Builder(UnifiedJedis jedis, Codec<K> keyCodec, Codec<V> valueCodec) {
      this.jedis = Objects.requireNonNull(jedis, "jedis");
      this.keyCodec = Objects.requireNonNull(keyCodec, "keyCodec");
      this.valueCodec = Objects.requireNonNull(valueCodec, "valueCodec");
    }

    /** The keys {@link #from(Map)} accepts. */
    public static final Set<String> SETTINGS =
        Set.of("name", "prefix", "value-codec-version", "failure-threshold", "open-duration", "heartbeat");

    /**
     * Applies string settings (see {@link #SETTINGS}); {@code open-duration} is a duration like
     * {@code 1s}, {@code 500ms} or {@code PT1S}.
     */
    public Builder<K, V> from(Map<String, ?> settings) {
      Settings s = Settings.of("redis-cache-backend", settings);
      s.optionalString("name").ifPresent(this::name);
      s.optionalString("prefix").ifPresent(this::prefix);
      valueCodecVersion(s.intValue("value-codec-version", EntryFormat.UNVERSIONED, EntryFormat.MAX_CODEC_VERSION,
          valueCodecVersion));
      circuitBreaker(s.intValue("failure-threshold", 1, 1_000_000, failureThreshold),
          s.duration("open-duration", Duration.ofMillis(1), Duration.ofDays(1), openDuration));
      heartbeat(s.duration("heartbeat", Duration.ofMillis(1), Duration.ofMinutes(10), heartbeat));
      s.done();
      return this;
    }

    /**
     * Names the backend in logs; as a node of a sharded backend this is its identity on the
     * ring, so use a stable, unique address like {@code "10.0.0.7:6379"}. Default: the prefix.
     */
    public Builder<K, V> name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /** Prepended to every key; keeps applications sharing a server apart. */
    public Builder<K, V> prefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
        throw new IllegalArgumentException("prefix must not contain '{' or '}' but was '" + prefix + "'");
      }
      this.prefix = prefix;
      return this;
    }

    /**
     * The version of the value codec's bytes, stored in every entry; 0, the default, stores none
     * and writes entries as releases without this setting do. Change it whenever the codec's
     * bytes change meaning (a field added, renamed or retyped), so that during a rolling deploy
     * each version of the application reads the other's entries as misses instead of decoding
     * them into wrong values or failing on them. Both versions keep sharing keys and invalidation
     * channels, so a write on either still invalidates every instance; the cost is that each
     * version overwrites an entry of the other when it misses on it, and keys both read are
     * loaded more often until the deploy ends. A release without this setting reads a versioned
     * entry as undecodable: a miss, and a warning at most every 10 s.
     *
     * <p>A new {@link #prefix} also keeps the versions' entries apart, and each version keeps its
     * hit ratio, but it splits the invalidation channel too: an instance of one version never
     * hears the other's writes, and serves what it cached until it expires.
     *
     * @param version 0 to 255
     */
    public Builder<K, V> valueCodecVersion(int version) {
      if (version < EntryFormat.UNVERSIONED || version > EntryFormat.MAX_CODEC_VERSION) {
        throw new IllegalArgumentException("valueCodecVersion must be between " + EntryFormat.UNVERSIONED
            + " and " + EntryFormat.MAX_CODEC_VERSION + " but was " + version);
      }
      this.valueCodecVersion = version;
      return this;
    }

    /** The circuit opens after this many consecutive failures, for {@code openDuration}. */
    public Builder<K, V> circuitBreaker(int failureThreshold, Duration openDuration) {
      if (failureThreshold <= 0) {
        throw new IllegalArgumentException("failureThreshold must be > 0 but was " + failureThreshold);
      }
      Objects.requireNonNull(openDuration, "openDuration");
      if (openDuration.isNegative() || openDuration.isZero()) {
        throw new IllegalArgumentException("openDuration must be > 0 but was " + openDuration);
      }
      this.failureThreshold = failureThreshold;
      this.openDuration = openDuration;
      return this;
    }

    /**
     * How often the invalidation subscription is pinged (default {@link #DEFAULT_HEARTBEAT}); after
     * three intervals with no answer it is reported lost, so a frozen or partitioned server is
     * noticed in {@code 3 * interval} and the near cache's staleness bound holds.
     */
    public Builder<K, V> heartbeat(Duration interval) {
      Objects.requireNonNull(interval, "heartbeat");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("heartbeat must be > 0 but was " + interval);
      }
      this.heartbeat = interval;
      return this;
    }

    /**
     * The time source, in nanoseconds, of the circuit breaker and of the limit of one warning
     * per 10 s about entries that cannot be decoded.
     */
    public Builder<K, V> ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** The wall clock that turns entries' expiry times into Redis TTLs. */
    public Builder<K, V> clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public CacheBackend<K, V> build() {
      if (name == null) {
        name = prefix;
      }
      if (!OURS.contains(jedis)) {
        LOG.warn("{} - the Jedis client was not made by RedisCacheBackends.standalone or .cluster; give it a"
            + " socket timeout that suits a cache (these use {} ms, Jedis' default is 2000 ms), or every call"
            + " to a dead Redis waits that long", name, DEFAULT_TIMEOUT.toMillis());
      }
      return new RedisCacheBackend<>(this);
    }
  }
}
