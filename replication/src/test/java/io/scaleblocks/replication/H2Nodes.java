package io.scaleblocks.replication;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** In-memory H2 databases standing in for nodes: each knows its own name. */
final class H2Nodes {

  private static final AtomicInteger RUN = new AtomicInteger();

  final String primary;
  final String replica1;
  final String replica2;
  private final Connection[] keepAlive;

  H2Nodes() throws SQLException {
    int run = RUN.incrementAndGet();
    primary = create("primary", run);
    replica1 = create("replica1", run);
    replica2 = create("replica2", run);
    keepAlive = new Connection[] {
      DriverManager.getConnection(primary), DriverManager.getConnection(replica1), DriverManager.getConnection(replica2)};
  }

  private static String create(String name, int run) throws SQLException {
    String url = "jdbc:h2:mem:" + name + "-" + run + ";DB_CLOSE_DELAY=-1";
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE whoami(name VARCHAR(32))");
      s.execute("INSERT INTO whoami VALUES ('" + name + "')");
      s.execute("CREATE TABLE items(id INT)");
    }
    return url;
  }

  ReplicationConfig.Builder builder() {
    return ReplicationConfig.builder().name("test")
        .primary("primary", primary).replica("replica1", replica1, 1).replica("replica2", replica2, 1)
        .monitor(false);
  }

  /** Which node {@code c} runs on. */
  static String whoami(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet row = s.executeQuery("SELECT name FROM whoami")) {
      row.next();
      return row.getString(1);
    }
  }

  void close() throws SQLException {
    for (Connection c : keepAlive) {
      try (Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
    }
  }
}
