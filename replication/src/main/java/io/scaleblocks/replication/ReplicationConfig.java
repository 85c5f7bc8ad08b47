package io.scaleblocks.replication;

import static io.scaleblocks.config.Checks.nonNegative;
import static io.scaleblocks.config.Checks.positive;

import com.zaxxer.hikari.HikariConfig;
import io.scaleblocks.config.Settings;
import io.scaleblocks.lb.Endpoint;
import io.scaleblocks.lb.Strategies;
import io.scaleblocks.lb.Strategy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The immutable configuration of a {@link ReplicationDataSource}: its nodes and its knobs. Built
 * by {@link #builder()}, whose setters refuse a bad value at once with a message naming it, or
 * read from a map or {@link Properties} by {@link #from(Map)} (keys in the module README).
 */
public final class ReplicationConfig {

  public static final String DEFAULT_NAME = "replication";
  /** A replica further behind than this many bytes of log leaves rotation. */
  public static final long DEFAULT_MAX_LAG_BYTES = 16L * 1024 * 1024;
  /** A replica further behind than this leaves rotation. */
  public static final Duration DEFAULT_MAX_LAG = Duration.ofSeconds(5);
  public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofMillis(250);
  public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(1);
  /** The longest wait for a pooled connection; a down primary fails a write within this. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
  /**
   * The socket timeout every physical connection gets when it is bound (unless the connection
   * set its own): a statement on a node that stopped answering fails after this.
   */
  public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(30);
  /** The longest a causal read waits for a replica to catch up before it reads the primary. */
  public static final Duration DEFAULT_CAUSAL_WAIT = Duration.ofSeconds(1);
  /** How often a waiting causal read asks the replica again. */
  public static final Duration DEFAULT_CAUSAL_POLL = Duration.ofMillis(10);
  public static final ReadFallback DEFAULT_READ_FALLBACK = ReadFallback.PRIMARY;

  private static final Duration MAX_DURATION = Duration.ofHours(1);

  final String name;
  final NodeSpec primary;
  final List<NodeSpec> replicas;
  final HikariConfig hikari;
  final Strategy strategy;
  /**
   * Whether the balancer is told of each replica connection's start and end: the in-flight
   * counts that least-request reads, and that a strategy passed in may read.
   */
  final boolean countsCallsInFlight;
  final long maxLagBytes;
  final Duration maxLag;
  final Duration healthInterval;
  final Duration probeTimeout;
  final Duration connectTimeout;
  final Duration networkTimeout;
  final Duration causalWait;
  final Duration causalPoll;
  final ReadFallback readFallback;
  final Clock clock;
  /** Each router's scheduler, made from its name: real time unless a test passes its own. */
  final java.util.function.Function<String, Scheduler> scheduler;
  final Optional<Dialect> dialect;
  final boolean monitor;

  private ReplicationConfig(Builder b) {
    name = b.name;
    primary = b.primary;
    replicas = List.copyOf(b.replicas);
    hikari = new HikariConfig();
    b.hikari.copyStateTo(hikari);
    strategy = b.strategy;
    countsCallsInFlight = b.countsCallsInFlight;
    maxLagBytes = b.maxLagBytes;
    maxLag = b.maxLag;
    healthInterval = b.healthInterval;
    probeTimeout = b.probeTimeout;
    connectTimeout = b.connectTimeout;
    networkTimeout = b.networkTimeout;
    causalWait = b.causalWait;
    causalPoll = b.causalPoll;
    readFallback = b.readFallback;
    clock = b.clock;
    scheduler = b.scheduler;
    dialect = Optional.ofNullable(b.dialect);
    monitor = b.monitor;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The configuration of {@link #from(Map, HikariConfig)} with a default pool configuration. */
  public static ReplicationConfig from(Map<String, ?> settings) {
    return from(settings, new HikariConfig());
  }

  /** {@link #from(Map)} over {@link Properties}. */
  public static ReplicationConfig from(Properties properties) {
    return read(Settings.of(DEFAULT_NAME, properties), new HikariConfig());
  }

  /**
   * Reads {@code primary.url}, {@code replicas[i].url} / {@code replicas[i].weight} /
   * {@code replicas[i].name}, {@code name}, {@code strategy}, {@code max-lag-bytes},
   * {@code max-lag}, {@code health-interval}, {@code probe-timeout}, {@code connect-timeout},
   * {@code network-timeout},
   * {@code causal-wait}, {@code causal-poll}, {@code read-fallback}, {@code username},
   * {@code password}; every pool starts from {@code hikari}.
   *
   * @throws IllegalArgumentException naming the key of an unknown or out-of-range setting
   */
  public static ReplicationConfig from(Map<String, ?> settings, HikariConfig hikari) {
    return read(Settings.of(DEFAULT_NAME, settings), hikari);
  }

  private static ReplicationConfig read(Settings s, HikariConfig hikari) {
    Builder b = builder().hikari(hikari);
    b.name(s.string("name", DEFAULT_NAME));
    s.optionalString("username").ifPresent(b.hikari::setUsername);
    s.optionalString("password").ifPresent(b.hikari::setPassword);
    Settings primary = s.section("primary");
    Optional<String> primaryName = primary.optionalString("name");
    Optional<String> primaryUrl = primary.optionalString("url");
    if (primaryName.isPresent() && primaryUrl.isEmpty()) {
      throw new IllegalArgumentException(DEFAULT_NAME + ": primary.url is required (primary.name is '"
          + primaryName.get() + "')");
    }
    primaryUrl.ifPresent(url -> b.primary(primaryName.orElse(NodeSpec.nameOf(url)), url));
    primary.done();
    for (Settings replica : s.sections("replicas")) {
      Optional<String> replicaName = replica.optionalString("name");
      int weight = replica.intValue("weight", 1, Endpoint.MAX_WEIGHT, Endpoint.DEFAULT_WEIGHT);
      String url = replica.optionalString("url").orElseThrow(() ->
          new IllegalArgumentException(DEFAULT_NAME + ": every replicas[i] needs a url"));
      b.replica(replicaName.orElse(NodeSpec.nameOf(url)), url, weight);
      replica.done();
    }
    String strategy = s.string("strategy", "round-robin");
    b.strategy(strategy(strategy));
    b.countsCallsInFlight = strategy.toLowerCase(Locale.ROOT).replace("_", "-").equals("least-request");
    b.maxLagBytes(s.longValue("max-lag-bytes", 0, Long.MAX_VALUE, DEFAULT_MAX_LAG_BYTES));
    b.maxLag(s.duration("max-lag", Duration.ZERO, MAX_DURATION, DEFAULT_MAX_LAG));
    b.healthInterval(s.duration("health-interval", Duration.ofMillis(10), MAX_DURATION, DEFAULT_HEALTH_INTERVAL));
    b.probeTimeout(s.duration("probe-timeout", Duration.ofMillis(10), MAX_DURATION, DEFAULT_PROBE_TIMEOUT));
    b.connectTimeout(s.duration("connect-timeout", Duration.ofMillis(250), MAX_DURATION, DEFAULT_CONNECT_TIMEOUT));
    b.networkTimeout(s.duration("network-timeout", Duration.ZERO, MAX_DURATION, DEFAULT_NETWORK_TIMEOUT));
    b.causalWait(s.duration("causal-wait", Duration.ZERO, MAX_DURATION, DEFAULT_CAUSAL_WAIT));
    b.causalPoll(s.duration("causal-poll", Duration.ofMillis(1), MAX_DURATION, DEFAULT_CAUSAL_POLL));
    b.readFallback(s.enumValue("read-fallback", ReadFallback.class, DEFAULT_READ_FALLBACK));
    s.done();
    return b.build();
  }

  private static Strategy strategy(String name) {
    switch (name.toLowerCase(Locale.ROOT).replace("_", "-")) {
      case "round-robin": return Strategies.roundRobin();
      case "weighted", "weighted-round-robin": return Strategies.smoothWeightedRoundRobin();
      case "least-request": return Strategies.leastRequest();
      case "random": return Strategies.random();
      default: throw new IllegalArgumentException(DEFAULT_NAME
          + ": 'strategy' must be round-robin, weighted, least-request or random but was '" + name + "'");
    }
  }

  /** The name used in logs, metrics, pool names and exceptions. */
  public String name() {
    return name;
  }

  /**
   * A fail-fast builder. Not thread-safe. {@link #build()} refuses a configuration without a
   * primary or with two nodes of the same URL or name.
   */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private NodeSpec primary;
    private final List<NodeSpec> replicas = new ArrayList<>();
    private final HikariConfig hikari = new HikariConfig();
    private Strategy strategy = Strategies.roundRobin();
    private boolean countsCallsInFlight;
    private long maxLagBytes = DEFAULT_MAX_LAG_BYTES;
    private Duration maxLag = DEFAULT_MAX_LAG;
    private Duration healthInterval = DEFAULT_HEALTH_INTERVAL;
    private Duration probeTimeout = DEFAULT_PROBE_TIMEOUT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration networkTimeout = DEFAULT_NETWORK_TIMEOUT;
    private Duration causalWait = DEFAULT_CAUSAL_WAIT;
    private Duration causalPoll = DEFAULT_CAUSAL_POLL;
    private ReadFallback readFallback = DEFAULT_READ_FALLBACK;
    private Clock clock = Clock.systemUTC();
    private java.util.function.Function<String, Scheduler> scheduler = name -> Scheduler.system(name + "-monitor");
    private Dialect dialect;
    private boolean monitor = true;

    private Builder() {}

    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /** The primary at {@code url}, named by its {@code host:port}. */
    public Builder primary(String url) {
      return primary(NodeSpec.nameOf(checkUrl(url)), url);
    }

    public Builder primary(String nodeName, String url) {
      primary = new NodeSpec(checkName(nodeName), Role.PRIMARY, Optional.of(checkUrl(url)), Optional.empty(), 1);
      return this;
    }

    /** The primary behind the user's own {@code dataSource} (not closed by the router). */
    public Builder primary(String nodeName, DataSource dataSource) {
      primary = new NodeSpec(checkName(nodeName), Role.PRIMARY, Optional.empty(),
          Optional.of(Objects.requireNonNull(dataSource, "dataSource")), 1);
      return this;
    }

    /** A replica at {@code url} of weight 1, named by its {@code host:port}. */
    public Builder replica(String url) {
      return replica(NodeSpec.nameOf(checkUrl(url)), url, Endpoint.DEFAULT_WEIGHT);
    }

    /** A replica with a weight, for weighted strategies (1 to {@link Endpoint#MAX_WEIGHT}). */
    public Builder replica(String nodeName, String url, int weight) {
      replicas.add(new NodeSpec(checkName(nodeName), Role.REPLICA, Optional.of(checkUrl(url)),
          Optional.empty(), checkWeight(weight)));
      return this;
    }

    /** A replica behind the user's own {@code dataSource} (not closed by the router). */
    public Builder replica(String nodeName, DataSource dataSource, int weight) {
      replicas.add(new NodeSpec(checkName(nodeName), Role.REPLICA, Optional.empty(),
          Optional.of(Objects.requireNonNull(dataSource, "dataSource")), checkWeight(weight)));
      return this;
    }

    /**
     * The pool configuration every URL node starts from (user, password, pool size, data source
     * properties); copied now. The router sets the JDBC URL, the pool name and the connection
     * timeout ({@link #connectTimeout}) of each pool.
     */
    public Builder hikari(HikariConfig base) {
      Objects.requireNonNull(base, "hikari").copyStateTo(hikari);
      return this;
    }

    /**
     * How reads choose a replica: an {@code lb} strategy, round robin by default. The balancer
     * counts the calls in flight on each replica for it (what least-request reads); the default,
     * and the strategies named by the {@code strategy} key other than {@code least-request}, read
     * no such count and are spared it.
     */
    public Builder strategy(Strategy strategy) {
      this.strategy = Objects.requireNonNull(strategy, "strategy");
      this.countsCallsInFlight = true;
      return this;
    }

    /** A replica more than this many bytes behind leaves rotation; 0 disables the bound. */
    public Builder maxLagBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxLagBytes must be >= 0 but was " + bytes);
      }
      this.maxLagBytes = bytes;
      return this;
    }

    /** A replica more than this behind leaves rotation; zero disables the bound. */
    public Builder maxLag(Duration lag) {
      this.maxLag = nonNegative("maxLag", lag);
      return this;
    }

    /** How often the monitor probes every node. */
    public Builder healthInterval(Duration interval) {
      this.healthInterval = positive("healthInterval", interval);
      return this;
    }

    /** A probe that takes longer marks its node down. */
    public Builder probeTimeout(Duration timeout) {
      this.probeTimeout = positive("probeTimeout", timeout);
      return this;
    }

    /** The pools' connection timeout (at least 250 ms, HikariCP's floor). */
    public Builder connectTimeout(Duration timeout) {
      positive("connectTimeout", timeout);
      if (timeout.toMillis() < 250) {
        throw new IllegalArgumentException("connectTimeout must be >= 250ms but was " + timeout);
      }
      this.connectTimeout = timeout;
      return this;
    }

    /**
     * The network (socket) timeout set on each physical connection when it is bound, unless the
     * application set one on the connection; zero: none. At most {@code Integer.MAX_VALUE} ms.
     */
    public Builder networkTimeout(Duration timeout) {
      nonNegative("networkTimeout", timeout);
      if (timeout.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("networkTimeout must be <= " + Integer.MAX_VALUE + "ms but was " + timeout);
      }
      this.networkTimeout = timeout;
      return this;
    }

    /** How long a causal read waits for a replica before reading the primary; zero: no wait. */
    public Builder causalWait(Duration wait) {
      this.causalWait = nonNegative("causalWait", wait);
      return this;
    }

    public Builder causalPoll(Duration poll) {
      this.causalPoll = positive("causalPoll", poll);
      return this;
    }

    public Builder readFallback(ReadFallback fallback) {
      this.readFallback = Objects.requireNonNull(fallback, "readFallback");
      return this;
    }

    /** The clock lag and state times are measured on. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The time waits and schedules run on (causal waits, health interval, probe timeout): real
     * time by default; a test passes one it drives. Closed with the router.
     */
    Builder scheduler(Scheduler scheduler) {
      Objects.requireNonNull(scheduler, "scheduler");
      this.scheduler = name -> scheduler;
      return this;
    }

    /** The dialect of every node; by default chosen from each URL ({@link Dialect#forUrl}). */
    public Builder dialect(Dialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /**
     * Whether a background thread probes the nodes every {@link #healthInterval} (default); off,
     * they are probed only by {@link ReplicationDataSource#refresh()}, as tests on a fake clock do.
     */
    public Builder monitor(boolean enabled) {
      this.monitor = enabled;
      return this;
    }

    /**
     * @throws IllegalStateException if no primary was configured
     * @throws IllegalArgumentException if two nodes share a URL or a name
     */
    public ReplicationConfig build() {
      if (primary == null) {
        throw new IllegalStateException(name + ": no primary configured");
      }
      Set<String> urls = new HashSet<>();
      Set<String> names = new HashSet<>();
      List<NodeSpec> all = new ArrayList<>(replicas);
      all.add(0, primary);
      for (NodeSpec node : all) {
        if (node.url().isPresent() && !urls.add(node.url().get())) {
          throw new IllegalArgumentException(name + ": duplicate node URL " + node.url().get());
        }
        if (!names.add(node.name())) {
          throw new IllegalArgumentException(name + ": duplicate node name " + node.label());
        }
      }
      return new ReplicationConfig(this);
    }

    private static String checkUrl(String url) {
      Objects.requireNonNull(url, "url");
      if (!url.startsWith("jdbc:")) {
        throw new IllegalArgumentException("url must start with jdbc: but was '" + url + "'");
      }
      return url;
    }

    private static String checkName(String name) {
      Objects.requireNonNull(name, "node name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("node name must not be blank but was '" + name + "'");
      }
      return name;
    }

    private static int checkWeight(int weight) {
      if (weight < 1 || weight > Endpoint.MAX_WEIGHT) {
        throw new IllegalArgumentException(
            "weight must be between 1 and " + Endpoint.MAX_WEIGHT + " but was " + weight);
      }
      return weight;
    }
  }
}
