package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.pool.HikariProxyConnection;
import io.scaleblocks.lb.Strategies;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.h2.jdbc.JdbcConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try")
class RoutingTest {

  private H2Nodes h2;
  private ReplicationDataSource ds;

  @BeforeEach
  void setUp() throws SQLException {
    h2 = new H2Nodes();
    ds = ReplicationDataSource.create(h2.builder().build());
  }

  @AfterEach
  void tearDown() throws SQLException {
    ds.close();
    h2.close();
  }

  @Test
  void writesAndUnmarkedReadsGoToThePrimary() throws SQLException {
    for (int i = 0; i < 5; i++) {
      try (Connection c = ds.getConnection()) {
        assertEquals("primary", H2Nodes.whoami(c));
      }
    }
  }

  @Test
  void leastRequestSendsReadsAwayFromAReplicaWithAConnectionInUse() throws SQLException {
    ReplicationConfig fromBuilder = h2.builder().name("least").strategy(Strategies.leastRequest()).build();
    ReplicationConfig fromKeys = ReplicationConfig.from(Map.of("name", "least",
        "primary.url", h2.primary, "primary.name", "primary",
        "replicas[0].url", h2.replica1, "replicas[0].name", "replica1",
        "replicas[1].url", h2.replica2, "replicas[1].name", "replica2",
        "strategy", "least-request"));
    for (ReplicationConfig config : List.of(fromBuilder, fromKeys)) {
      try (ReplicationDataSource least = ReplicationDataSource.create(config);
          Connection busy = least.getConnection()) {
        busy.setReadOnly(true);
        String other = H2Nodes.whoami(busy).equals("replica1") ? "replica2" : "replica1";
        for (int i = 0; i < 6; i++) {
          try (Connection c = least.getConnection()) {
            c.setReadOnly(true);
            assertEquals(other, H2Nodes.whoami(c));
          }
        }
      }
    }
  }

  @Test
  void readOnlySetAfterGetConnectionRoutesToReplicasInRoundRobin() throws SQLException {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      try (Connection c = ds.getConnection()) {
        c.setReadOnly(true);
        counts.merge(H2Nodes.whoami(c), 1, Integer::sum);
      }
    }
    assertEquals(Map.of("replica1", 5, "replica2", 5), counts);
  }

  @Test
  void readOnlyScopeRoutesToAReplicaAndPrimaryScopeOverridesEverything() throws SQLException {
    assertTrue(ds.readOnly(() -> {
      try (Connection c = ds.getConnection()) {
        return H2Nodes.whoami(c);
      }
    }).startsWith("replica"));
    try (Scope readOnly = ds.readOnlyScope(); Scope primary = ds.primaryScope();
        Connection c = ds.getConnection()) {
      c.setReadOnly(true);
      assertEquals("primary", H2Nodes.whoami(c));
    }
    try (Connection c = ds.getConnection()) {
      assertEquals("primary", H2Nodes.whoami(c), "scopes end with their block");
    }
  }

  @Test
  void everyStatementOfAReadWriteTransactionRunsOnThePrimary() throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO items VALUES (1)");
      }
      c.setReadOnly(true);
      assertEquals("primary", H2Nodes.whoami(c));
      c.commit();
    }
    try (Scope primary = ds.primaryScope(); Connection c = ds.getConnection()) {
      try (Statement s = c.createStatement(); var rows = s.executeQuery("SELECT count(*) FROM items")) {
        rows.next();
        assertEquals(1, rows.getInt(1));
      }
    }
  }

  @Test
  void stateSetBeforeTheFirstStatementIsReplayedOnThePhysicalConnection() throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      c.setSchema("INFORMATION_SCHEMA");
      c.setNetworkTimeout(Executors.newSingleThreadExecutor(), 1234);
      assertFalse(c.getAutoCommit());
      assertEquals(Connection.TRANSACTION_SERIALIZABLE, c.getTransactionIsolation());
      Connection physical = c.unwrap(HikariProxyConnection.class);
      assertFalse(physical.getAutoCommit());
      assertEquals(Connection.TRANSACTION_SERIALIZABLE, physical.getTransactionIsolation());
      assertEquals("INFORMATION_SCHEMA", physical.getSchema());
      c.rollback();
    }
  }

  @Test
  void unwrapReachesThePoolsAndTheDriversConnection() throws SQLException {
    try (Connection c = ds.getConnection()) {
      assertTrue(c.isWrapperFor(JdbcConnection.class));
      assertNotNull(c.unwrap(JdbcConnection.class));
      assertNotNull(c.unwrap(HikariProxyConnection.class));
      assertTrue(c.isWrapperFor(Connection.class));
    }
  }

  @Test
  void aConnectionThatNeverRunsAStatementTakesNoPhysicalConnection() throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setReadOnly(true);
      c.setAutoCommit(false);
      c.commit();
      c.rollback();
      assertTrue(c.isValid(1));
    }
    assertEquals(Map.of("primary", 0L, "replica1", 0L, "replica2", 0L), ds.connectionsServed());
  }

  @Test
  void readWriteAfterAnAutoCommitReplicaReadMovesToThePrimary() throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setReadOnly(true);
      assertTrue(H2Nodes.whoami(c).startsWith("replica"));
      c.setReadOnly(false);
      assertEquals("primary", H2Nodes.whoami(c));
    }
  }

  @Test
  void aReplicaTransactionCannotBecomeReadWrite() throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setReadOnly(true);
      c.setAutoCommit(false);
      H2Nodes.whoami(c);
      SQLException e = assertThrows(SQLException.class, () -> c.setReadOnly(false));
      assertTrue(e.getMessage().contains("cannot become read-write"), e.getMessage());
    }
  }

  @Test
  void aClosedConnectionRefusesStatementsAndCloseIsIdempotent() throws SQLException {
    Connection c = ds.getConnection();
    c.close();
    c.close();
    assertTrue(c.isClosed());
    assertThrows(SQLException.class, c::createStatement);
  }

  @Test
  void weightedStrategySpreadsReadsByWeight() throws SQLException {
    ReplicationDataSource weighted = ReplicationDataSource.create(ReplicationConfig.builder().name("weighted")
        .primary("primary", h2.primary).replica("replica1", h2.replica1, 3).replica("replica2", h2.replica2, 1)
        .strategy(Strategies.smoothWeightedRoundRobin()).monitor(false).build());
    try (weighted) {
      Map<String, Integer> counts = new HashMap<>();
      for (int i = 0; i < 40; i++) {
        try (Connection c = weighted.getConnection()) {
          c.setReadOnly(true);
          counts.merge(H2Nodes.whoami(c), 1, Integer::sum);
        }
      }
      assertEquals(Map.of("replica1", 30, "replica2", 10), counts);
    }
  }

  @Test
  void withoutReplicasReadsGoToThePrimary() throws SQLException {
    try (ReplicationDataSource single = ReplicationDataSource.create(ReplicationConfig.builder()
        .name("single").primary("primary", h2.primary).monitor(false).build())) {
      try (Connection c = single.getConnection()) {
        c.setReadOnly(true);
        assertEquals("primary", H2Nodes.whoami(c));
      }
      assertEquals(NodeState.PRIMARY, single.primary().orElseThrow().state());
    }
  }

  @Test
  void scopesArePerThread() throws Exception {
    ExecutorService other = Executors.newSingleThreadExecutor();
    try (Scope scope = ds.readOnlyScope()) {
      String elsewhere = other.submit(() -> {
        try (Connection c = ds.getConnection()) {
          return H2Nodes.whoami(c);
        }
      }).get();
      assertEquals("primary", elsewhere);
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> { try { other.submit(scope::close).get(); } catch (java.util.concurrent.ExecutionException x) { throw x.getCause(); } });
      assertTrue(e.getMessage().contains("thread"));
    } finally {
      other.shutdown();
    }
  }
}
