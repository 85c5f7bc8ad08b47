package io.scaleblocks.sharding.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.scaleblocks.testkit.ServerAddresses;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Shard databases created for one test on the real PostgreSQL primary (the role has CREATEDB),
 * each with its own pool, dropped again on {@link #close()}.
 */
final class ShardDatabases implements AutoCloseable {

  private final List<String> names = new ArrayList<>();
  private final List<HikariDataSource> pools = new ArrayList<>();

  ShardDatabases(String purpose, int count, String schema) throws SQLException {
    String prefix = "sb_sharding_" + purpose + "_"
        + Long.toString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFL, 36) + "_";
    try (Connection admin = admin(); Statement s = admin.createStatement()) {
      for (int i = 0; i < count; i++) {
        String name = (prefix + i).toLowerCase(Locale.ROOT);
        s.execute("CREATE DATABASE " + name);
        names.add(name);
      }
    }
    for (String name : names) {
      try (Connection c = DriverManager.getConnection(url(name), ServerAddresses.pgUser(),
          ServerAddresses.pgPassword()); Statement s = c.createStatement()) {
        s.execute(schema);
      }
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url(name));
      config.setUsername(ServerAddresses.pgUser());
      config.setPassword(ServerAddresses.pgPassword());
      config.setMaximumPoolSize(6);
      config.setPoolName(name);
      config.setConnectionTimeout(3_000);
      pools.add(new HikariDataSource(config));
    }
  }

  static String url(String database) {
    String primary = ServerAddresses.pgPrimaryUrl();
    return primary.substring(0, primary.lastIndexOf('/') + 1) + database;
  }

  static Connection admin() throws SQLException {
    return DriverManager.getConnection(ServerAddresses.pgPrimaryUrl(), ServerAddresses.pgUser(),
        ServerAddresses.pgPassword());
  }

  String name(int i) {
    return names.get(i);
  }

  /** The pooled data source of shard database {@code i}. */
  DataSource pool(int i) {
    return pools.get(i);
  }

  /** An unpooled data source: every connection is a new one, so a refusal shows at once. */
  DataSource direct(int i) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(url(names.get(i)));
    ds.setUser(ServerAddresses.pgUser());
    ds.setPassword(ServerAddresses.pgPassword());
    ds.setConnectTimeout(3);
    return ds;
  }

  /**
   * Stops database {@code i} the server-side way: it refuses new connections and its sessions are
   * terminated. {@link #start(int)} undoes it.
   */
  void stop(int i) throws SQLException {
    try (Connection admin = admin(); Statement s = admin.createStatement()) {
      s.execute("ALTER DATABASE " + names.get(i) + " ALLOW_CONNECTIONS false");
      s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + names.get(i) + "' AND usename = current_user");
    }
  }

  void start(int i) throws SQLException {
    try (Connection admin = admin(); Statement s = admin.createStatement()) {
      s.execute("ALTER DATABASE " + names.get(i) + " ALLOW_CONNECTIONS true");
    }
  }

  @Override
  public void close() throws SQLException {
    pools.forEach(HikariDataSource::close);
    try (Connection admin = admin(); Statement s = admin.createStatement()) {
      for (String name : names) {
        s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
        s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "' AND usename = current_user");
        s.execute("DROP DATABASE IF EXISTS " + name);
      }
    }
  }
}
