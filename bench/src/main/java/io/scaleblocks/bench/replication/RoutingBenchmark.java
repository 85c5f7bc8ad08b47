package io.scaleblocks.bench.replication;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.scaleblocks.replication.ReplicationConfig;
import io.scaleblocks.replication.ReplicationDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.tools.Server;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * What routing a read to a replica costs: {@code getConnection()} + {@code executeQuery("SELECT 1")}
 * + {@code close()}, and {@code getConnection()} + {@code close()} alone, through
 * <ul>
 *   <li>{@code hikari}: the anchor, a bare HikariCP pool on the replica;
 *   <li>{@code router}: {@link ReplicationDataSource}, the connection set read-only before its
 *       first statement (what Spring's transaction manager does);
 *   <li>{@code routerScope}: the same inside a read-only scope opened once per thread;
 *   <li>{@code springRouting}: Spring's {@link AbstractRoutingDataSource} keyed by the
 *       transaction's read-only flag, behind a {@link LazyConnectionDataSourceProxy}, as Spring's
 *       documentation wires it;
 *   <li>{@code awsReadWriteSplitting}: the AWS Advanced JDBC Wrapper's read/write splitting
 *       behind HikariCP, switching on {@code setReadOnly}; it tells writer from reader by host
 *       and port, so it runs on {@code h2tcp} and {@code postgres} only. On {@code h2tcp}
 *       (wrapper dialect {@code unknown}) the plugin does not switch: it logs at FINE "Failed to
 *       switch to reader host ... does not support the requested host selection strategy:
 *       random" and keeps the writer's connection, so there it measures the wrapper's pipeline
 *       on one connection, not a switch to the reader.
 * </ul>
 * Every implementation reads through a HikariCP pool of the same size on the same database:
 * H2 in memory ({@code backend=h2}, which isolates the routing), H2 over TCP on loopback
 * ({@code backend=h2tcp}: two H2 TCP servers started in the benchmark's JVM, 127.0.0.1 on two
 * ephemeral ports, one standing for the primary and one for the replica, so every implementation,
 * the AWS wrapper included, reads over the same kind of socket connection) or the PostgreSQL
 * replica of {@code scripts/services} ({@code backend=postgres}; honours
 * {@code SCALEBLOCKS_PORT_OFFSET}). Run with {@code -t 1} and {@code -t 2}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class RoutingBenchmark {

  static {
    // The h2tcp servers listen on loopback only (read once, when H2 first loads).
    if (System.getProperty("h2.bindAddress") == null) {
      System.setProperty("h2.bindAddress", "127.0.0.1");
    }
  }

  @Param({"hikari", "router", "routerScope", "springRouting"})
  public String impl;

  @Param({"h2"})
  public String backend;

  private DataSource dataSource;
  private AutoCloseable[] closeables = new AutoCloseable[0];
  private boolean setReadOnly;
  private Connection keepAlive;
  private final List<Server> servers = new ArrayList<>();

  @State(Scope.Thread)
  public static class ThreadScope {
    private io.scaleblocks.replication.Scope scope;

    @Setup
    public void open(RoutingBenchmark benchmark) {
      if (benchmark.dataSource instanceof ReplicationDataSource router && benchmark.impl.equals("routerScope")) {
        scope = router.readOnlyScope();
      }
      TransactionSynchronizationManager.setCurrentTransactionReadOnly(true);
    }

    @TearDown
    public void close() {
      if (scope != null) {
        scope.close();
      }
      TransactionSynchronizationManager.setCurrentTransactionReadOnly(false);
    }
  }

  @Setup
  public void setUp() throws SQLException {
    String primaryUrl;
    String replicaUrl;
    HikariConfig base = new HikariConfig();
    base.setMaximumPoolSize(4);
    base.setMinimumIdle(4);
    if (backend.equals("postgres")) {
      int offset = Integer.parseInt(System.getenv().getOrDefault("SCALEBLOCKS_PORT_OFFSET", "0"));
      primaryUrl = "jdbc:postgresql://127.0.0.1:" + (15432 + offset) + "/scaleblocks";
      replicaUrl = "jdbc:postgresql://127.0.0.1:" + (15433 + offset) + "/scaleblocks";
      base.setUsername("scaleblocks");
      base.setPassword("scaleblocks");
    } else if (backend.equals("h2tcp")) {
      // One in-memory database, reached through two TCP servers: the port tells the primary from
      // the replica, as a host name would (the AWS wrapper needs that), and both pools speak the
      // same protocol over the same loopback.
      keepAlive = DriverManager.getConnection("jdbc:h2:mem:bench-tcp;DB_CLOSE_DELAY=-1");
      primaryUrl = "jdbc:h2:tcp://127.0.0.1:" + tcpServer() + "/mem:bench-tcp";
      replicaUrl = "jdbc:h2:tcp://127.0.0.1:" + tcpServer() + "/mem:bench-tcp";
    } else if (backend.equals("h2")) {
      primaryUrl = "jdbc:h2:mem:bench-primary;DB_CLOSE_DELAY=-1";
      replicaUrl = "jdbc:h2:mem:bench-replica;DB_CLOSE_DELAY=-1";
      keepAlive = DriverManager.getConnection(replicaUrl);
    } else {
      throw new IllegalArgumentException("unknown backend " + backend + ": h2, h2tcp or postgres");
    }
    switch (impl) {
      case "hikari" -> {
        HikariDataSource replica = pool(base, replicaUrl, "bench-replica");
        dataSource = replica;
        closeables = new AutoCloseable[] {replica};
      }
      case "router", "routerScope" -> {
        ReplicationDataSource router = ReplicationDataSource.create(ReplicationConfig.builder()
            .name("bench").hikari(base).primary(primaryUrl).replica(replicaUrl).build());
        dataSource = router;
        closeables = new AutoCloseable[] {router};
        setReadOnly = impl.equals("router");
      }
      case "springRouting" -> {
        HikariDataSource primary = pool(base, primaryUrl, "bench-primary");
        HikariDataSource replica = pool(base, replicaUrl, "bench-replica");
        AbstractRoutingDataSource routing = new AbstractRoutingDataSource() {
          @Override
          protected Object determineCurrentLookupKey() {
            return TransactionSynchronizationManager.isCurrentTransactionReadOnly() ? "replica" : "primary";
          }
        };
        routing.setTargetDataSources(Map.of("primary", primary, "replica", replica));
        routing.setDefaultTargetDataSource(primary);
        routing.afterPropertiesSet();
        LazyConnectionDataSourceProxy lazy = new LazyConnectionDataSourceProxy(routing);
        lazy.afterPropertiesSet();
        dataSource = lazy;
        closeables = new AutoCloseable[] {primary, replica};
      }
      case "awsReadWriteSplitting" -> {
        // The AWS Advanced JDBC Wrapper behind HikariCP, as its documentation wires it: the
        // writer first in the host list, the reader after it, readWriteSplitting switching on
        // setReadOnly. It tells them apart by host and port, so not on in-memory H2.
        if (backend.equals("h2")) {
          throw new IllegalArgumentException("awsReadWriteSplitting needs backend=h2tcp or backend=postgres");
        }
        HikariConfig config = new HikariConfig();
        base.copyStateTo(config);
        config.setJdbcUrl(awsUrl(primaryUrl, replicaUrl));
        config.addDataSourceProperty("wrapperPlugins", "readWriteSplitting");
        config.addDataSourceProperty("wrapperDialect", backend.equals("postgres") ? "pg" : "unknown");
        config.setPoolName("bench-aws");
        HikariDataSource aws = new HikariDataSource(config);
        dataSource = aws;
        closeables = new AutoCloseable[] {aws};
        setReadOnly = true;
      }
      default -> throw new IllegalArgumentException("unknown impl " + impl);
    }
  }

  /** {@code jdbc:aws-wrapper:<driver>://<writer host:port>,<reader host:port>/<database>}. */
  private static String awsUrl(String writerUrl, String readerUrl) {
    int writerHosts = writerUrl.indexOf("://") + 3;
    int writerPath = writerUrl.indexOf('/', writerHosts);
    int readerHosts = readerUrl.indexOf("://") + 3;
    String reader = readerUrl.substring(readerHosts, readerUrl.indexOf('/', readerHosts));
    return "jdbc:aws-wrapper:" + writerUrl.substring("jdbc:".length(), writerPath) + "," + reader
        + writerUrl.substring(writerPath);
  }

  /** Starts an H2 TCP server on 127.0.0.1 and an ephemeral port; returns the port. */
  private int tcpServer() throws SQLException {
    Server server = Server.createTcpServer("-tcpPort", "0", "-ifExists").start();
    servers.add(server);
    return server.getPort();
  }

  private static HikariDataSource pool(HikariConfig base, String url, String name) {
    HikariConfig config = new HikariConfig();
    base.copyStateTo(config);
    config.setJdbcUrl(url);
    config.setPoolName(name);
    return new HikariDataSource(config);
  }

  @TearDown
  public void tearDown() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    if (keepAlive != null) {
      keepAlive.close();
    }
    servers.forEach(Server::stop);
  }

  @Benchmark
  public int connectionQueryClose(ThreadScope scope) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      if (setReadOnly) {
        c.setReadOnly(true);
      }
      try (Statement s = c.createStatement(); ResultSet row = s.executeQuery("SELECT 1")) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  @Benchmark
  public boolean connectionClose(ThreadScope scope) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      if (setReadOnly) {
        c.setReadOnly(true);
      }
      return c.isClosed();
    }
  }
}
