package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Lag bounds on real replication: a paused replica leaves, an idle primary excludes nothing. */
class LagIT {

  private static final int REPLICA2_PORT = PgCluster.port(PgCluster.REPLICAS.get(1));

  @BeforeAll
  static void servers() throws SQLException {
    PgCluster.require();
    try (Connection c = PgCluster.direct(PgCluster.PRIMARY)) {
      PgCluster.execute(c, "CREATE TABLE IF NOT EXISTS lag_it(id int, pad text)");
    }
  }

  private static NodeState stateOf(ReplicationDataSource ds, String node) {
    return ds.status().stream().filter(s -> s.name().equals(node)).findFirst().orElseThrow().state();
  }

  private static void await(ReplicationDataSource ds, String node, NodeState state, long millis)
      throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (stateOf(ds, node) != state) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(node + " not " + state + " within " + millis + " ms: " + ds.status());
      }
      Thread.sleep(10);
    }
  }

  @Test
  void aReplicaWithPausedReplayLeavesPastMaxLagBytesAndReturnsOnResume() throws Exception {
    try (ReplicationDataSource ds = ReplicationDataSource.create(PgCluster.builder("lag")
        .maxLagBytes(1024 * 1024).maxLag(Duration.ZERO).build())) {
      PgCluster.superuser("pg-replica1", "SELECT pg_wal_replay_pause()");
      try {
        try (Connection c = ds.getConnection()) {
          PgCluster.execute(c, "INSERT INTO lag_it SELECT g, repeat('x', 1000) FROM generate_series(1, 3000) g");
        }
        await(ds, "pg-replica1", NodeState.LAGGING, 2_000);
        assertTrue(ds.status().get(1).lagBytes() > 1024 * 1024, ds.status().toString());
        await(ds, "pg-replica2", NodeState.REPLICA, 5_000);  // it may have lagged too while replaying
        for (int i = 0; i < 10; i++) {
          try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            assertEquals(REPLICA2_PORT, PgCluster.queryLong(c, "SELECT inet_server_port()"));
          }
        }
      } finally {
        PgCluster.superuser("pg-replica1", "SELECT pg_wal_replay_resume()");
      }
      await(ds, "pg-replica1", NodeState.REPLICA, 2_000);
    }
  }

  @Test
  void anIdlePrimaryForTenSecondsExcludesNothing() throws Exception {
    PgCluster.awaitReplicasCaughtUp();
    try (ReplicationDataSource ds = ReplicationDataSource.create(PgCluster.builder("idle")
        .maxLagBytes(64 * 1024).maxLag(Duration.ofMillis(500)).build())) {
      List<String> changes = new CopyOnWriteArrayList<>();
      ds.addListener(new ReplicationListener() {
        @Override
        public void onNodeChange(NodeStatus previous, NodeStatus current) {
          changes.add(current.name() + " " + current.state() + " " + current.detail());
        }
      });
      Thread.sleep(10_000);
      assertEquals(List.of(), changes);
      assertEquals(List.of(NodeState.PRIMARY, NodeState.REPLICA, NodeState.REPLICA),
          ds.status().stream().map(NodeStatus::state).toList());
    }
  }
}
