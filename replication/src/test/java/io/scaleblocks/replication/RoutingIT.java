package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Routing checked on the server side: where each statement ran, by {@code inet_server_port()}. */
@SuppressWarnings("try")
class RoutingIT {

  private static final int PRIMARY_PORT = PgCluster.port(PgCluster.PRIMARY);
  private static final int REPLICA1_PORT = PgCluster.port(PgCluster.REPLICAS.get(0));
  private static final int REPLICA2_PORT = PgCluster.port(PgCluster.REPLICAS.get(1));

  @BeforeAll
  static void servers() throws SQLException {
    PgCluster.require();
    try (Connection c = PgCluster.direct(PgCluster.PRIMARY)) {
      PgCluster.execute(c, "CREATE TABLE IF NOT EXISTS routing_it(id bigserial PRIMARY KEY, port int NOT NULL)");
    }
  }

  @BeforeEach
  void empty() throws SQLException {
    try (Connection c = PgCluster.direct(PgCluster.PRIMARY)) {
      PgCluster.execute(c, "TRUNCATE routing_it");
    }
  }

  private static int serverPort(Connection c) throws SQLException {
    return (int) PgCluster.queryLong(c, "SELECT inet_server_port()");
  }

  @Test
  void everyWriteLandsOnThePrimaryAndReadsAlternateOverBothReplicas() throws Exception {
    try (ReplicationDataSource ds = ReplicationDataSource.create(PgCluster.builder("routing").build())) {
      assertEquals(List.of(NodeState.PRIMARY, NodeState.REPLICA, NodeState.REPLICA),
          ds.status().stream().map(NodeStatus::state).toList());
      for (int i = 0; i < 50; i++) {
        try (Connection c = ds.getConnection();
            PreparedStatement insert = c.prepareStatement("INSERT INTO routing_it(port) VALUES (inet_server_port())")) {
          insert.executeUpdate();
        }
      }
      Map<Integer, Integer> reads = new TreeMap<>();
      for (int i = 0; i < 100; i++) {
        try (Connection c = ds.getConnection()) {
          c.setReadOnly(true);
          reads.merge(serverPort(c), 1, Integer::sum);
        }
      }
      assertEquals(Map.of(REPLICA1_PORT, 50, REPLICA2_PORT, 50), reads, "round robin, exactly");
      try (Connection c = PgCluster.direct(PgCluster.PRIMARY)) {
        assertEquals(50, PgCluster.queryLong(c, "SELECT count(*) FROM routing_it WHERE port = " + PRIMARY_PORT));
        assertEquals(50, PgCluster.queryLong(c, "SELECT count(*) FROM routing_it"));
      }
      PgCluster.awaitReplicasCaughtUp();
      try (Scope readOnly = ds.readOnlyScope(); Connection c = ds.getConnection()) {
        assertTrue(serverPort(c) != PRIMARY_PORT);
        assertEquals(50, PgCluster.queryLong(c, "SELECT count(*) FROM routing_it"), "the replica has the writes");
      }
    }
  }

  @Test
  void aReadWriteTransactionNeverTouchesAReplica() throws SQLException {
    try (ReplicationDataSource ds = ReplicationDataSource.create(PgCluster.builder("rw-tx").build())) {
      for (int i = 0; i < 20; i++) {
        try (Connection c = ds.getConnection()) {
          c.setAutoCommit(false);
          assertEquals(PRIMARY_PORT, serverPort(c));
          try (PreparedStatement insert = c.prepareStatement("INSERT INTO routing_it(port) VALUES (inet_server_port())")) {
            insert.executeUpdate();
          }
          assertEquals(PRIMARY_PORT, serverPort(c), "the transaction's last statement is on the primary too");
          c.commit();
        }
      }
      try (Connection c = ds.getConnection()) {
        c.setReadOnly(true);
        c.setAutoCommit(false);
        assertTrue(serverPort(c) != PRIMARY_PORT);
        SQLException e = assertThrows(SQLException.class, () -> PgCluster.execute(c,
            "INSERT INTO routing_it(port) VALUES (inet_server_port())"));
        assertEquals("25006", e.getSQLState(), "a replica refuses writes: " + e.getMessage());
        c.rollback();
      }
    }
  }

  @Test
  void theMonitorReportsEveryNodeWithoutLag() throws Exception {
    PgCluster.awaitReplicasCaughtUp();
    try (ReplicationDataSource ds = ReplicationDataSource.create(PgCluster.builder("status").build())) {
      ds.refresh();
      for (NodeStatus status : ds.status()) {
        assertEquals(1, status.timeline(), status.toString());
        assertTrue(status.lagBytes() < 1024 * 1024, status.toString());
        assertEquals(Duration.ZERO.compareTo(status.lag()) <= 0, true);
      }
      try (Connection c = ds.getConnection();
          ResultSet rows = c.createStatement().executeQuery("SELECT 1")) {
        assertTrue(rows.next());
      }
    }
  }
}
