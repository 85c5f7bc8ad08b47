package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Misconfigured nodes on real PostgreSQL: each is named, and the router serves what it can. */
class BadInputIT {

  private static final int PRIMARY_PORT = PgCluster.port(PgCluster.PRIMARY);
  private static final int REPLICA2_PORT = PgCluster.port(PgCluster.REPLICAS.get(1));

  @BeforeAll
  static void servers() {
    PgCluster.require();
  }

  private static ReplicationConfig.Builder base(String name) {
    return ReplicationConfig.builder().name(name).hikari(PgCluster.hikari())
        .healthInterval(Duration.ofMillis(100)).connectTimeout(Duration.ofMillis(250));
  }

  private static long port(ReplicationDataSource ds, boolean readOnly) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setReadOnly(readOnly);
      return PgCluster.queryLong(c, "SELECT inet_server_port()");
    }
  }

  @Test
  void aReplicaUrlThatPointsAtThePrimaryIsFencedAndNamed() throws SQLException {
    String samePrimary = PgCluster.PRIMARY.replace("127.0.0.1", "localhost");
    try (ReplicationDataSource ds = ReplicationDataSource.create(base("replica-is-primary")
        .primary("pg-primary", PgCluster.PRIMARY).replica("not-a-replica", samePrimary, 1)
        .replica("pg-replica2", PgCluster.REPLICAS.get(1), 1).build())) {
      NodeStatus wrong = ds.status().get(1);
      assertEquals(NodeState.FENCED, wrong.state(), wrong.toString());
      assertTrue(wrong.label().contains("not-a-replica (jdbc:postgresql://localhost"), wrong.label());
      assertEquals(PRIMARY_PORT, port(ds, false));
      for (int i = 0; i < 4; i++) {
        assertEquals(REPLICA2_PORT, port(ds, true));
      }
    }
  }

  @Test
  void aPrimaryUrlThatPointsAtAReplicaFailsWritesNamingItAndServesReads() throws SQLException {
    try (ReplicationDataSource ds = ReplicationDataSource.create(base("primary-is-replica")
        .primary("pg-replica1", PgCluster.REPLICAS.get(0)).replica("pg-replica2", PgCluster.REPLICAS.get(1), 1)
        .build())) {
      assertEquals(NodeState.REPLICA, ds.status().get(0).state());
      SQLTransientConnectionException e = assertThrows(SQLTransientConnectionException.class, () -> port(ds, false));
      assertTrue(e.getMessage().contains("no primary to write to")
          && e.getMessage().contains("pg-replica1 (" + PgCluster.REPLICAS.get(0) + ") REPLICA"), e.getMessage());
      assertTrue(port(ds, true) != PRIMARY_PORT);
    }
  }

  @Test
  void anUnreachableReplicaAtStartIsReportedDownAndTheOthersServe() throws SQLException {
    long start = System.nanoTime();
    try (ReplicationDataSource ds = ReplicationDataSource.create(base("unreachable")
        .primary("pg-primary", PgCluster.PRIMARY)
        .replica("nowhere", "jdbc:postgresql://127.0.0.1:1/scaleblocks", 1)
        .replica("pg-replica2", PgCluster.REPLICAS.get(1), 1).build())) {
      assertTrue(System.nanoTime() - start < 5_000_000_000L, "start does not hang on the dead node");
      NodeStatus nowhere = ds.status().get(1);
      assertEquals(NodeState.DOWN, nowhere.state());
      assertTrue(nowhere.detail().toLowerCase(java.util.Locale.ROOT).contains("connection"), nowhere.detail());
      for (int i = 0; i < 4; i++) {
        assertEquals(REPLICA2_PORT, port(ds, true));
      }
      assertEquals(PRIMARY_PORT, port(ds, false));
    }
  }

  @Test
  void anUnreachablePrimaryAtStartFailsWritesFastAndServesReads() throws SQLException {
    try (ReplicationDataSource ds = ReplicationDataSource.create(base("no-primary")
        .primary("nowhere", "jdbc:postgresql://127.0.0.1:1/scaleblocks")
        .replica("pg-replica2", PgCluster.REPLICAS.get(1), 1).build())) {
      long start = System.nanoTime();
      SQLException e = assertThrows(SQLException.class, () -> port(ds, false));
      assertTrue(System.nanoTime() - start < 500_000_000L, "fails fast");
      assertTrue(e.getMessage().contains("nowhere (jdbc:postgresql://127.0.0.1:1/scaleblocks) DOWN"), e.getMessage());
      assertEquals(REPLICA2_PORT, port(ds, true));
    }
  }
}
