package io.scaleblocks.replication;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.util.DriverDataSource;
import io.scaleblocks.lb.Endpoint;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import javax.sql.DataSource;

/**
 * One configured node and its pool. The pool is built from the node's URL (the router owns and
 * closes it) or is the user's DataSource (left open). Thread-safe.
 */
final class Node {

  /** A pool gets this long to connect before an empty one is replaced again. */
  private static final long MIN_POOL_AGE_NANOS = 1_000_000_000L;

  final NodeSpec spec;
  final String name;
  final Dialect dialect;
  final Endpoint<String> endpoint;
  /** Connections this node gave as the primary, and as a replica. */
  final LongAdder servedAsPrimary = new LongAdder();
  final LongAdder servedAsReplica = new LongAdder();
  private final HikariConfig poolConfig;
  private volatile DataSource dataSource;
  private volatile HikariDataSource ownedPool;
  private volatile MetricsTrackerFactory metrics;
  /** The physical connections the router took from this node and has not returned. */
  private final LentConnections lent;
  /** Whether the pool's connections come with the configured network timeout. */
  private final boolean networkTimeoutPreset;
  private final LongSupplier ticker;
  /** Failures of this node's connections seen by the router (a connection refused or broken). */
  private final AtomicLong symptoms = new AtomicLong();
  private volatile long poolCreatedNanos;
  /** Set by {@link #close}; guarded by this node's monitor, as is the pool's replacement. */
  private boolean closed;

  private Node(NodeSpec spec, Dialect dialect, DataSource dataSource, HikariConfig poolConfig,
      boolean networkTimeoutPreset, LongSupplier ticker) {
    this.spec = spec;
    this.networkTimeoutPreset = networkTimeoutPreset;
    this.ticker = ticker;
    this.poolCreatedNanos = ticker.getAsLong();
    this.name = spec.name();
    this.dialect = dialect;
    this.endpoint = Endpoint.of(spec.name(), spec.weight());
    this.poolConfig = poolConfig;
    if (poolConfig != null) {
      HikariDataSource pool = new HikariDataSource(poolConfig);
      this.ownedPool = pool;
      this.dataSource = pool;
    } else {
      this.dataSource = dataSource;
    }
    // Sized once the pool validated its configuration. A user's DataSource has a size we do not
    // know: connections past the slots are still tracked.
    int slots = poolConfig != null ? poolConfig.getMaximumPoolSize() : 16;
    this.lent = new LentConnections(Math.max(1, Math.min(256, slots)));
  }

  /**
   * {@code executor} runs the drivers' network-timeout aborts; {@code ticker} is the router's
   * time, on which a renewed pool's grace period runs.
   */
  static Node open(String routerName, NodeSpec spec, ReplicationConfig config, Executor executor,
      LongSupplier ticker) {
    Dialect dialect = config.dialect.orElseGet(() -> spec.url().map(Dialect::forUrl).orElse(Dialect.none()));
    if (spec.dataSource().isPresent()) {
      return new Node(spec, dialect, spec.dataSource().get(), null, false, ticker);
    }
    HikariConfig hikari = new HikariConfig();
    config.hikari.copyStateTo(hikari);
    hikari.setJdbcUrl(spec.url().orElseThrow());
    hikari.setPoolName(routerName + "-" + spec.name());
    hikari.setConnectionTimeout(config.connectTimeout.toMillis());
    hikari.setValidationTimeout(Math.min(config.connectTimeout.toMillis(), hikari.getValidationTimeout()));
    // A node that is down at start is reported by the monitor, not by a failed constructor.
    hikari.setInitializationFailTimeout(-1);
    long networkTimeout = config.networkTimeout.toMillis();
    boolean preset = networkTimeout > 0 && hikari.getDataSource() == null
        && hikari.getDataSourceClassName() == null && hikari.getDataSourceJNDI() == null;
    if (preset) {
      // What HikariCP would build from the URL, each new connection given the timeout once.
      hikari.setDataSource(new NetworkTimeoutDataSource(new DriverDataSource(hikari.getJdbcUrl(),
          hikari.getDriverClassName(), hikari.getDataSourceProperties(), hikari.getUsername(),
          hikari.getPassword()), executor, (int) networkTimeout));
    }
    return new Node(spec, dialect, null, hikari, preset, ticker);
  }

  /**
   * Whether every connection this node's pool lends is read-only {@code value}: known for the
   * router's own pools, which HikariCP sets to their configuration at each return.
   */
  boolean lendsReadOnly(boolean value) {
    return poolConfig != null && poolConfig.isReadOnly() == value;
  }

  /** Like {@link #lendsReadOnly}, for auto-commit. */
  boolean lendsAutoCommit(boolean value) {
    return poolConfig != null && poolConfig.isAutoCommit() == value;
  }

  /** Whether the connections this node lends already have the configured network timeout. */
  boolean networkTimeoutPreset() {
    return networkTimeoutPreset;
  }

  /**
   * Replaces the router's pool of this node by a new one when the pool holds no connection at
   * all, as after the node's restart: HikariCP retries a lost server with a backoff that doubles
   * up to 5 s, a new pool connects at once. A pool is first given a second, or twice its
   * connection timeout, to connect (replacing it sooner would only restart its first attempt).
   * The old pool, empty, is closed on a thread of its own: HikariCP's shutdown waits up to its
   * login timeout (at least 1 s) for a connection adder asleep in that backoff, and the node's
   * return must not wait for it. A closed node's pool is never replaced. Returns whether the pool
   * was replaced.
   */
  synchronized boolean renewPoolIfEmpty() {
    HikariDataSource old = ownedPool;
    if (closed || old == null || old.getHikariPoolMXBean() == null
        || old.getHikariPoolMXBean().getTotalConnections() > 0
        || ticker.getAsLong() - poolCreatedNanos
            < Math.max(MIN_POOL_AGE_NANOS, 2_000_000L * poolConfig.getConnectionTimeout())) {
      return false;
    }
    HikariConfig config = new HikariConfig();
    poolConfig.copyStateTo(config);
    if (metrics != null) {
      config.setMetricsTrackerFactory(metrics);
    }
    HikariDataSource pool = new HikariDataSource(config);
    ownedPool = pool;
    dataSource = pool;
    poolCreatedNanos = ticker.getAsLong();
    Thread closer = new Thread(old::close, poolConfig.getPoolName() + "-retired-pool-closer");
    closer.setDaemon(true);
    closer.start();
    return true;
  }

  /** How many failures of this node's connections the router has seen. */
  long symptoms() {
    return symptoms.get();
  }

  /** Counts a failure of one of this node's connections, before the router acts on it. */
  void symptom() {
    symptoms.incrementAndGet();
  }

  /** Pool metrics for this node's pool and every pool that replaces it. */
  void trackPool(MetricsTrackerFactory factory) {
    MetricsTrackerFactory renewable = new RenewedPoolMetrics(factory);
    metrics = renewable;
    HikariDataSource pool = ownedPool;
    if (pool != null) {
      pool.setMetricsTrackerFactory(renewable);
    }
  }

  Connection connect() throws SQLException {
    return dataSource.getConnection();
  }

  void lent(Connection c) {
    lent.add(c);
  }

  void returned(Connection c) {
    lent.remove(c);
  }

  /**
   * Aborts every connection out of this node (it went down): a statement blocked on a node that
   * hangs fails now instead of waiting for its network timeout. Returns how many.
   */
  int abortLent(Executor executor) {
    int[] aborted = {0};
    lent.drain(c -> {
      try {
        c.abort(executor);
        aborted[0]++;
      } catch (SQLException | RuntimeException e) {
        // already closed or broken: nothing is blocked on it
      }
    });
    return aborted[0];
  }

  Optional<HikariDataSource> ownedPool() {
    return Optional.ofNullable(ownedPool);
  }

  String label() {
    return spec.label();
  }

  synchronized void close() {
    closed = true;
    if (ownedPool != null) {
      ownedPool.close();
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
