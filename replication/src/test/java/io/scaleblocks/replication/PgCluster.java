package io.scaleblocks.replication;

import com.zaxxer.hikari.HikariConfig;
import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import io.scaleblocks.testkit.Services;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/** The PostgreSQL primary and two replicas of {@code scripts/services}, for the ITs. */
final class PgCluster {

  static final String PRIMARY = ServerAddresses.pgPrimaryUrl();
  static final List<String> REPLICAS = ServerAddresses.pgReplicaUrls();

  private PgCluster() {}

  /** Requires the servers, and that they are in the topology {@code scripts/services start} leaves. */
  static void require() {
    RequireServer.postgresWithReplicas();
    Services.start("pg");
  }

  static HikariConfig hikari() {
    HikariConfig hikari = new HikariConfig();
    hikari.setUsername(ServerAddresses.pgUser());
    hikari.setPassword(ServerAddresses.pgPassword());
    hikari.setMaximumPoolSize(6);
    hikari.setMinimumIdle(1);
    return hikari;
  }

  static ReplicationConfig.Builder builder(String name) {
    return ReplicationConfig.builder().name(name).hikari(hikari())
        .primary("pg-primary", PRIMARY)
        .replica("pg-replica1", REPLICAS.get(0), 1)
        .replica("pg-replica2", REPLICAS.get(1), 1)
        .healthInterval(Duration.ofMillis(100))
        .probeTimeout(Duration.ofMillis(500))
        .connectTimeout(Duration.ofMillis(250));
  }

  static int port(String url) {
    return ServerAddresses.addressOf(url).getPort();
  }

  static Connection direct(String url) throws SQLException {
    return DriverManager.getConnection(url, ServerAddresses.pgUser(), ServerAddresses.pgPassword());
  }

  static long queryLong(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet row = s.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    }
  }

  static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Runs SQL as the superuser on {@code server} (pg-primary, pg-replica1, pg-replica2). */
  static String superuser(String server, String sql) {
    return Services.run("psql", server, sql).trim();
  }

  /** Waits until both replicas have replayed everything the primary has written. */
  static void awaitReplicasCaughtUp() throws SQLException, InterruptedException {
    long target;
    try (Connection p = direct(PRIMARY)) {
      target = queryLong(p, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
    }
    for (String url : REPLICAS) {
      try (Connection r = direct(url)) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (queryLong(r, "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint") < target) {
          if (System.nanoTime() > deadline) {
            throw new AssertionError(url + " did not catch up within 10 s");
          }
          Thread.sleep(10);
        }
      }
    }
  }
}
