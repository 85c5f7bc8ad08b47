package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a borrow through the router does to the pooled physical connection, counted on the
 * driver's connection: no call that a bare HikariCP pool would not make, unless the connection
 * asked for a state the pooled one does not have.
 */
class PooledConnectionStateTest {

  private H2Nodes h2;
  private String primary;
  private String replica;
  private String anchor;

  @BeforeEach
  void setUp() throws SQLException {
    h2 = new H2Nodes();
    primary = CountingDriver.url(h2.primary);
    replica = CountingDriver.url(h2.replica1);
    // the same database under another URL, so that its calls are counted apart
    anchor = CountingDriver.url(h2.primary + ";IFEXISTS=TRUE");
  }

  @AfterEach
  void tearDown() throws SQLException {
    h2.close();
  }

  private static HikariConfig onePooledConnection() {
    HikariConfig hikari = new HikariConfig();
    hikari.setMaximumPoolSize(1);
    hikari.setMinimumIdle(1);
    return hikari;
  }

  private static void read(DataSource ds, boolean setDefaults) throws SQLException {
    try (Connection c = ds.getConnection()) {
      if (setDefaults) {
        c.setReadOnly(false);
        c.setAutoCommit(true);
      }
      try (Statement s = c.createStatement(); ResultSet row = s.executeQuery("SELECT 1")) {
        assertTrue(row.next());
      }
    }
  }

  /** The calls five reads make on the pooled connection of {@code url}, after a warm-up. */
  private static Map<String, Integer> callsOfReads(DataSource ds, String url, boolean setDefaults)
      throws SQLException {
    read(ds, setDefaults);
    CountingDriver.reset(url);
    for (int i = 0; i < 5; i++) {
      read(ds, setDefaults);
    }
    return CountingDriver.calls(url);
  }

  private Map<String, Integer> callsOfBareHikari() throws SQLException {
    HikariConfig config = onePooledConnection();
    config.setJdbcUrl(anchor);
    try (HikariDataSource bare = new HikariDataSource(config)) {
      return callsOfReads(bare, anchor, false);
    }
  }

  @Test
  void aReadMakesTheSameCallsOnThePooledConnectionAsABareHikariPool() throws SQLException {
    Map<String, Integer> bare = callsOfBareHikari();
    try (ReplicationDataSource ds = ReplicationDataSource.create(ReplicationConfig.builder()
        .name("counted").hikari(onePooledConnection()).primary(primary).monitor(false).build())) {
      assertEquals(bare, callsOfReads(ds, primary, false));
    }
  }

  @Test
  void stateEqualToThePooledConnectionsIsNotSetOnIt() throws SQLException {
    Map<String, Integer> bare = callsOfBareHikari();
    try (ReplicationDataSource ds = ReplicationDataSource.create(ReplicationConfig.builder()
        .name("counted").hikari(onePooledConnection()).primary(primary).monitor(false).build())) {
      assertEquals(bare, callsOfReads(ds, primary, true));
    }
  }

  @Test
  void everyPooledConnectionHasTheConfiguredNetworkTimeoutUnlessItSetItsOwn() throws SQLException {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (ReplicationDataSource ds = ReplicationDataSource.create(ReplicationConfig.builder()
        .name("counted").hikari(onePooledConnection()).primary(primary)
        .networkTimeout(Duration.ofSeconds(7)).monitor(false).build())) {
      try (Connection c = ds.getConnection()) {
        H2Nodes.whoami(c);
        assertEquals(7000, c.getNetworkTimeout());
      }
      try (Connection c = ds.getConnection()) {
        c.setNetworkTimeout(executor, 1234);
        H2Nodes.whoami(c);
        assertEquals(1234, c.getNetworkTimeout());
      }
      try (Connection c = ds.getConnection()) {
        H2Nodes.whoami(c);
        assertEquals(7000, c.getNetworkTimeout(), "the same pooled connection, its timeout reset");
      }
    } finally {
      executor.shutdown();
    }
  }

  @Test
  void stateThatDiffersFromThePooledConnectionsIsReplayed() throws SQLException {
    HikariConfig manualCommit = onePooledConnection();
    manualCommit.setAutoCommit(false);
    try (ReplicationDataSource ds = ReplicationDataSource.create(ReplicationConfig.builder()
        .name("counted").hikari(manualCommit).primary(primary).replica(replica).monitor(false).build())) {
      try (Connection c = ds.getConnection()) {
        c.setAutoCommit(true);
        assertEquals("primary", H2Nodes.whoami(c));
        assertTrue(c.unwrap(HikariProxyOf.CONNECTION).getAutoCommit());
      }
      try (Connection c = ds.getConnection()) {
        c.setReadOnly(true);
        assertEquals("replica1", H2Nodes.whoami(c));
        assertTrue(c.unwrap(HikariProxyOf.CONNECTION).isReadOnly());
        assertFalse(c.getAutoCommit(), "the pool's default");
      }
      try (Connection c = ds.getConnection()) {
        assertEquals("primary", H2Nodes.whoami(c));
        assertFalse(c.unwrap(HikariProxyOf.CONNECTION).getAutoCommit(), "reset by the pool");
      }
    }
  }

  /** The pool's connection type, reached through unwrap. */
  private static final class HikariProxyOf {
    static final Class<com.zaxxer.hikari.pool.HikariProxyConnection> CONNECTION =
        com.zaxxer.hikari.pool.HikariProxyConnection.class;
  }
}
