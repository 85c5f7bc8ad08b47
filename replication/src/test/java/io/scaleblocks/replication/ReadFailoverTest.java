package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A replica that refuses connections between two probes. */
class ReadFailoverTest {

  private H2Nodes h2;
  private SwitchableDataSource replica1;
  private SwitchableDataSource replica2;

  @BeforeEach
  void setUp() throws SQLException {
    h2 = new H2Nodes();
    replica1 = new SwitchableDataSource(h2.replica1);
    replica2 = new SwitchableDataSource(h2.replica2);
  }

  @AfterEach
  void tearDown() throws SQLException {
    h2.close();
  }

  private ReplicationDataSource start(ReadFallback fallback) {
    return ReplicationDataSource.create(ReplicationConfig.builder().name("failover")
        .primary("primary", h2.primary).replica("replica1", replica1, 1).replica("replica2", replica2, 1)
        .readFallback(fallback).monitor(false).build());
  }

  private static String read(ReplicationDataSource ds) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setReadOnly(true);
      return H2Nodes.whoami(c);
    }
  }

  @Test
  void aRefusedReadGoesToTheNextReplicaAndTheRefusingOneLeavesRotation() throws SQLException {
    try (ReplicationDataSource ds = start(ReadFallback.PRIMARY)) {
      List<String> failovers = new ArrayList<>();
      ds.addListener(new ReplicationListener() {
        @Override
        public void onReadFailover(String failed) {
          failovers.add(failed);
        }
      });
      replica1.down = true;
      for (int i = 0; i < 6; i++) {
        assertEquals("replica2", read(ds));
      }
      assertEquals(1, replica1.refused, "asked once, then out of rotation");
      assertEquals(List.of("replica1"), failovers);
      assertEquals(NodeState.DOWN, ds.status().get(1).state());
      replica1.down = false;
      ds.refresh();
      assertEquals(NodeState.REPLICA, ds.status().get(1).state());
    }
  }

  @Test
  void withEveryReplicaRefusingReadsGoToThePrimary() throws SQLException {
    try (ReplicationDataSource ds = start(ReadFallback.PRIMARY)) {
      replica1.down = true;
      replica2.down = true;
      for (int i = 0; i < 4; i++) {
        assertEquals("primary", read(ds));
      }
    }
  }

  @Test
  void withFallbackFailReadsFailNamingTheReplicas() throws SQLException {
    try (ReplicationDataSource ds = start(ReadFallback.FAIL)) {
      replica1.down = true;
      replica2.down = true;
      SQLTransientConnectionException e = assertThrows(SQLTransientConnectionException.class, () -> read(ds));
      assertTrue(e.getMessage().contains("no replica can serve a read")
          && e.getMessage().contains("replica1 (DataSource) DOWN")
          && e.getMessage().contains("replica2 (DataSource) DOWN"), e.getMessage());
      assertEquals("primary", ds.onPrimary(() -> read(ds)), "a primary scope still reads the primary");
    }
  }

  @Test
  void aReplicaThatRefusesAConnectionForAnyReasonLeavesRotation() throws SQLException {
    // PostgreSQL at max_connections answers, with SQLState 53300: no connection failure as such
    replica1.refuseWith("FATAL: sorry, too many clients already", "53300");
    try (ReplicationDataSource ds = start(ReadFallback.PRIMARY)) {
      replica1.down = true;
      for (int i = 0; i < 6; i++) {
        assertEquals("replica2", read(ds));
      }
      assertEquals(1, replica1.refused, "asked once, then out of rotation");
      NodeStatus status = ds.status().get(1);
      assertEquals(NodeState.DOWN, status.state());
      assertTrue(status.detail().contains("too many clients"), status.detail());
      replica1.down = false;
      ds.refresh();
      assertEquals(NodeState.REPLICA, ds.status().get(1).state());
    }
  }

  @Test
  void withFallbackFailAReadThatEveryReplicaRefusedNamesThemDownAndWhy() throws SQLException {
    replica1.refuseWith("FATAL: sorry, too many clients already", "53300");
    replica2.refuseWith("FATAL: sorry, too many clients already", "53300");
    try (ReplicationDataSource ds = start(ReadFallback.FAIL)) {
      replica1.down = true;
      replica2.down = true;
      SQLTransientConnectionException e = assertThrows(SQLTransientConnectionException.class, () -> read(ds));
      assertTrue(e.getMessage().contains("replica1 (DataSource) DOWN")
          && e.getMessage().contains("replica2 (DataSource) DOWN")
          && e.getMessage().contains("too many clients"), e.getMessage());
    }
  }

  @Test
  void withNoReplicaConfiguredReadsGoToThePrimaryAlsoWithFallbackFail() throws SQLException {
    try (ReplicationDataSource ds = ReplicationDataSource.create(ReplicationConfig.builder()
        .name("embedded").primary("primary", h2.primary).readFallback(ReadFallback.FAIL)
        .monitor(false).build())) {
      assertEquals("primary", read(ds), "the README: with zero replicas every read goes to the primary");
    }
  }

  @Test
  void aPrimaryThatRefusesAConnectionFailsLaterWritesAtOnceUntilItAnswersAgain() throws SQLException {
    SwitchableDataSource primary = new SwitchableDataSource(h2.primary);
    try (ReplicationDataSource ds = ReplicationDataSource.create(ReplicationConfig.builder().name("writes")
        .primary("primary", primary).replica("replica1", replica1, 1).monitor(false).build())) {
      primary.down = true;
      SQLException first = assertThrows(SQLException.class, () -> {
        try (Connection c = ds.getConnection()) {
          H2Nodes.whoami(c);
        }
      });
      assertTrue(first.getMessage().contains("primary primary (DataSource) gave no connection"), first.getMessage());
      SQLException second = assertThrows(SQLTransientConnectionException.class, () -> {
        try (Connection c = ds.getConnection()) {
          H2Nodes.whoami(c);
        }
      });
      assertTrue(second.getMessage().contains("no primary to write to: primary (DataSource) DOWN"), second.getMessage());
      assertEquals(1, primary.refused, "the second write did not wait for the dead primary");
      assertEquals("replica1", read(ds), "reads go on");
      primary.down = false;
      ds.refresh();
      try (Connection c = ds.getConnection()) {
        assertEquals("primary", H2Nodes.whoami(c));
      }
    }
  }

  @Test
  void listenersSeeTheChangesOfConcurrentThreadsInTheOrderTheyWereMade() throws Exception {
    try (ReplicationDataSource ds = ReplicationDataSource.create(ReplicationConfig.builder().name("order")
        .primary("primary", h2.primary).replica("replica1", replica1, 1).monitor(false).build())) {
      CountDownLatch downReported = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      ds.addListener(new ReplicationListener() {
        @Override
        public void onNodeChange(NodeStatus previous, NodeStatus current) {
          if (current.state() == NodeState.DOWN) {
            downReported.countDown();
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }
      });
      List<NodeState> seen = new CopyOnWriteArrayList<>();
      ds.addListener(new ReplicationListener() {
        @Override
        public void onNodeChange(NodeStatus previous, NodeStatus current) {
          seen.add(current.state());
        }
      });
      replica1.down = true;
      ExecutorService reader = Executors.newSingleThreadExecutor();
      try {
        // The reader marks replica1 down and is still telling the first listener so when the
        // monitor finds replica1 answering again.
        Future<String> read = reader.submit(() -> read(ds));
        assertTrue(downReported.await(10, TimeUnit.SECONDS));
        replica1.down = false;
        ds.refresh();
        release.countDown();
        assertEquals("primary", read.get(10, TimeUnit.SECONDS));
      } finally {
        release.countDown();
        reader.shutdownNow();
      }
      assertEquals(NodeState.REPLICA, ds.status().get(1).state());
      assertEquals(List.of(NodeState.DOWN, NodeState.REPLICA), seen,
          "the last state a listener was told is the node's state");
    }
  }
}
