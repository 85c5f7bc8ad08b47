package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.testkit.Services;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stops the primary under a write load, promotes a replica, then restarts the old primary as a
 * primary (split brain). Afterwards {@code scripts/services start} clones the promoted replica
 * again, so the next test finds the topology it expects.
 */
class PromotionIT {

  private static final int PRIMARY_PORT = PgCluster.port(PgCluster.PRIMARY);
  private static final int REPLICA1_PORT = PgCluster.port(PgCluster.REPLICAS.get(0));
  private static final int REPLICA2_PORT = PgCluster.port(PgCluster.REPLICAS.get(1));

  /** An acknowledged write: its id and the port of the server that took it. */
  private record Ack(long id, int port, long at) {}

  @BeforeAll
  static void servers() throws Exception {
    PgCluster.require();
    try (Connection c = PgCluster.direct(PgCluster.PRIMARY)) {
      PgCluster.execute(c, "CREATE TABLE IF NOT EXISTS promotion_it(id bigserial PRIMARY KEY, port int NOT NULL)");
      PgCluster.execute(c, "TRUNCATE promotion_it");
    }
    PgCluster.awaitReplicasCaughtUp();
  }

  @AfterAll
  static void restoreTopology() {
    Services.start("pg");
    // PostgreSQL only: this test needs no other server, and they may not be running
    String report = Services.status().report();
    List<String> pg = report.lines().filter(line -> line.startsWith("pg-")).toList();
    assertTrue(pg.size() == 3 && pg.stream().allMatch(line -> line.contains(" up, "))
        && !report.contains("PROMOTED"), report);
  }

  @Test
  void writesMoveToThePromotedReplicaAndTheOldPrimaryBackAsPrimaryGetsNone() throws Exception {
    ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Long> failureNanos = new ConcurrentLinkedQueue<>();
    List<String> fenced = new CopyOnWriteArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    try (ReplicationDataSource ds = ReplicationDataSource.create(PgCluster.builder("promotion").build())) {
      ds.addListener(new ReplicationListener() {
        @Override
        public void onNodeChange(NodeStatus previous, NodeStatus current) {
          if (current.state() == NodeState.FENCED) {
            fenced.add(current.name() + ": " + current.detail());
          }
        }
      });
      Thread writer = new Thread(() -> writeLoop(ds, running, acks, failureNanos), "writer");
      writer.start();
      try {
        Thread.sleep(300);
        Services.stop("pg-primary");
        long stopped = System.nanoTime();
        Thread.sleep(500);
        long failuresBeforePromotion = failureNanos.size();
        long promoted;
        // scripts/services grants pg_promote in the scaleblocks database (functions are per database).
        try (Connection c = PgCluster.direct(PgCluster.REPLICAS.get(0))) {
          assertEquals(1, PgCluster.queryLong(c, "SELECT pg_promote(true, 30)::int"));
          promoted = System.nanoTime();
        }
        long firstWrite = awaitAckAfter(acks, promoted, 5_000);
        long writeGapMillis = (firstWrite - promoted) / 1_000_000;
        Thread.sleep(300);
        Services.start("pg-primary");
        long restarted = System.nanoTime();
        awaitFenced(fenced, 5_000);
        Thread.sleep(500);
        running.set(false);
        writer.join();
        long maxFailMillis = failureNanos.stream().mapToLong(n -> n / 1_000_000).max().orElse(0);
        System.out.printf("promotion: first write on the promoted replica %d ms after the promotion was visible;"
            + " %d writes failed while no primary was known (%d before the promotion), the slowest in %d ms;"
            + " old primary reported: %s%n", writeGapMillis, failureNanos.size(), failuresBeforePromotion,
            maxFailMillis, fenced);
        assertTrue(writeGapMillis <= 1000, "writes resumed " + writeGapMillis + " ms after promotion");
        assertTrue(maxFailMillis <= 1500, "a failed write took " + maxFailMillis + " ms");
        assertTrue(fenced.get(0).startsWith("pg-primary: split brain"), fenced.toString());
        assertEquals(NodeState.FENCED, ds.status().get(0).state());
        assertEquals("pg-replica1", ds.primary().orElseThrow().name());
        checkServerSide(acks, stopped, restarted);
      } finally {
        running.set(false);
        writer.join();
      }
    }
  }

  private static void writeLoop(ReplicationDataSource ds, AtomicBoolean running,
      ConcurrentLinkedQueue<Ack> acks, ConcurrentLinkedQueue<Long> failureNanos) {
    while (running.get()) {
      long start = System.nanoTime();
      try (Connection c = ds.getConnection();
          PreparedStatement insert = c.prepareStatement(
              "INSERT INTO promotion_it(port) VALUES (inet_server_port()) RETURNING id, port");
          ResultSet row = insert.executeQuery()) {
        row.next();
        acks.add(new Ack(row.getLong(1), row.getInt(2), System.nanoTime()));
      } catch (SQLException e) {
        failureNanos.add(System.nanoTime() - start);
        try {
          Thread.sleep(5);
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  /** Every acknowledged write is on the node that acknowledged it; none reached a node in recovery. */
  private static void checkServerSide(ConcurrentLinkedQueue<Ack> acks, long stopped, long restarted)
      throws SQLException {
    long onOldPrimary = acks.stream().filter(a -> a.port() == PRIMARY_PORT).count();
    long onPromoted = acks.stream().filter(a -> a.port() == REPLICA1_PORT).count();
    assertEquals(acks.size(), onOldPrimary + onPromoted, "no write was acknowledged by another node");
    assertTrue(acks.stream().filter(a -> a.at() > restarted).allMatch(a -> a.port() == REPLICA1_PORT),
        "after the old primary came back every write went to the promoted replica");
    assertTrue(onPromoted > 0 && onOldPrimary > 0);
    try (Connection old = PgCluster.direct(PgCluster.PRIMARY);
        Connection promoted = PgCluster.direct(PgCluster.REPLICAS.get(0));
        Connection replica2 = PgCluster.direct(PgCluster.REPLICAS.get(1))) {
      assertEquals(onOldPrimary, PgCluster.queryLong(old, "SELECT count(*) FROM promotion_it"),
          "the old primary holds exactly the writes it acknowledged before it stopped: none after its restart");
      assertEquals(onPromoted, PgCluster.queryLong(promoted,
          "SELECT count(*) FROM promotion_it WHERE port = " + REPLICA1_PORT), "nothing acknowledged is lost");
      assertEquals(0, PgCluster.queryLong(promoted, "SELECT count(*) FROM promotion_it WHERE port = " + REPLICA2_PORT));
      assertEquals(0, PgCluster.queryLong(replica2, "SELECT count(*) FROM promotion_it WHERE port <> " + PRIMARY_PORT),
          "the replica that stayed in recovery took no write");
    }
  }

  private static long awaitAckAfter(ConcurrentLinkedQueue<Ack> acks, long after, long millis)
      throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    AtomicLong first = new AtomicLong();
    while (first.get() == 0) {
      acks.stream().filter(a -> a.at() > after).findFirst().ifPresent(a -> first.set(a.at()));
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no write succeeded within " + millis + " ms of the promotion");
      }
      Thread.sleep(2);
    }
    return first.get();
  }

  private static void awaitFenced(List<String> fenced, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (fenced.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the old primary was not reported within " + millis + " ms");
      }
      Thread.sleep(5);
    }
  }
}
