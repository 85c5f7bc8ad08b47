package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.testkit.Services;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stops a replica's postmaster under a read load of four threads, then starts it again: no read
 * that starts after the router noticed fails, the replica leaves rotation within 1 s (p99 over
 * the trials) and serves reads again within 1 s of answering queries after its restart, in every
 * trial of the long form; the short form, which shares the machine with every other build,
 * bounds every trial by 2.5 s. 5 trials; 20 with {@code -Dscaleblocks.long=true}. Each trial
 * prints its timeline (from {@code scripts/services stop}: detected down; from the restart call:
 * answering, back in rotation, first read served); the monitor logs each probe of the node
 * while it is down at debug level.
 */
class ReplicaDeathIT {

  private static final boolean LONG = Boolean.getBoolean("scaleblocks.long");
  private static final int TRIALS = LONG ? 20 : 5;
  /** Per trial, from answering queries again to serving reads. */
  private static final long BACK_BOUND_MILLIS = LONG ? 1_000 : 2_500;
  private static final int READERS = 4;
  private static final int REPLICA2_PORT = PgCluster.port(PgCluster.REPLICAS.get(1));

  @BeforeAll
  static void servers() {
    PgCluster.require();
  }

  @AfterAll
  static void restore() {
    Services.start("pg");
  }

  @Test
  void aStoppedReplicaLeavesRotationWithoutFailingLaterReadsAndReturnsAfterRestart() throws Exception {
    List<Long> outMillis = new ArrayList<>();
    List<Long> backMillis = new ArrayList<>();
    List<Long> servedMillis = new ArrayList<>();
    List<Long> fromStopCall = new ArrayList<>();
    long failedBefore = 0;
    try (ReplicationDataSource ds = ReplicationDataSource.create(PgCluster.builder("death").build())) {
      AtomicLong stopAt = new AtomicLong();
      AtomicLong downAt = new AtomicLong();
      AtomicLong backAt = new AtomicLong();
      ds.addListener(new ReplicationListener() {
        @Override
        public void onNodeChange(NodeStatus previous, NodeStatus current) {
          if (current.name().equals("pg-replica2")) {
            if (current.state() == NodeState.DOWN) {
              // Not before the stop: a pool still filling on a cold JVM may time out a read.
              if (stopAt.get() != 0) {
                downAt.compareAndSet(0, System.nanoTime());
              }
            } else if (current.state() == NodeState.REPLICA) {
              backAt.compareAndSet(0, System.nanoTime());
            }
          }
        }
      });
      for (int trial = 0; trial < TRIALS; trial++) {
        stopAt.set(0);
        downAt.set(0);
        backAt.set(0);
        ConcurrentLinkedQueue<Long> failedStarts = new ConcurrentLinkedQueue<>();
        AtomicLong firstServed = new AtomicLong(-1);
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> readers = startReaders(ds, running, failedStarts, firstServed);
        try {
          Thread.sleep(200);
          long stopCalled = System.nanoTime();
          stopAt.set(stopCalled);
          Services.stop("pg-replica2");
          awaitNonZero(downAt, 5_000);
          long firstSymptom = failedStarts.stream().min(Long::compare).orElse(stopCalled);
          outMillis.add(Math.max(0, (downAt.get() - Math.max(stopCalled, firstSymptom)) / 1_000_000));
          fromStopCall.add((downAt.get() - stopCalled) / 1_000_000);
          Thread.sleep(300);
          long detected = downAt.get();
          long failedAfter = failedStarts.stream().filter(start -> start > detected).count();
          failedBefore += failedStarts.size() - failedAfter;
          assertEquals(0, failedAfter, "reads that started after the replica was noticed down and failed");
          backAt.set(0);
          assertEquals(NodeState.DOWN, ds.status().get(2).state(), "no flapping while it is down");
          firstServed.set(0);
          long startCalled = System.nanoTime();
          java.time.LocalTime startWall = java.time.LocalTime.now();
          Thread starter = new Thread(() -> Services.start("pg-replica2"));
          starter.start();
          long answering = awaitAnswering(PgCluster.REPLICAS.get(1), 60_000);
          awaitNonZero(backAt, 5_000);
          awaitNonZero(firstServed, 5_000);
          starter.join();
          Thread.sleep(300);
          assertEquals(NodeState.REPLICA, ds.status().get(2).state(), "stays in rotation: " + ds.status().get(2));
          long back = Math.max(0, (backAt.get() - answering) / 1_000_000);
          long served = Math.max(0, (firstServed.get() - answering) / 1_000_000);
          backMillis.add(back);
          servedMillis.add(served);
          System.out.printf("replica death trial %d: down %d ms after the stop call; after the start call"
              + " (%s): answering %d ms, back in rotation %d ms, first read served %d ms%n", trial,
              (detected - stopCalled) / 1_000_000, startWall, (answering - startCalled) / 1_000_000,
              (backAt.get() - startCalled) / 1_000_000, (firstServed.get() - startCalled) / 1_000_000);
        } finally {
          running.set(false);
          for (Thread reader : readers) {
            reader.join();
          }
        }
      }
    }
    List<Long> servedSorted = new ArrayList<>(servedMillis);
    Collections.sort(outMillis);
    Collections.sort(backMillis);
    Collections.sort(servedSorted);
    long p99Out = outMillis.get((int) Math.ceil(outMillis.size() * 0.99) - 1);
    Collections.sort(fromStopCall);
    long p99Served = servedSorted.get((int) Math.ceil(servedSorted.size() * 0.99) - 1);
    System.out.printf("replica death: %d trials, out of rotation after the first failed read (ms, sorted) %s, p99 %d;"
        + " after scripts/services stop was called %s;"
        + " back in rotation after it answered queries again (ms) %s; first read served by it %s, p99 %d, max %d;"
        + " reads failed before detection %d%n",
        TRIALS, outMillis, p99Out, fromStopCall, backMillis, servedSorted, p99Served,
        servedSorted.get(servedSorted.size() - 1), failedBefore);
    assertTrue(p99Out <= 1000, "out of rotation p99 " + p99Out + " ms: " + outMillis);
    for (int trial = 0; trial < servedMillis.size(); trial++) {
      assertTrue(servedMillis.get(trial) <= BACK_BOUND_MILLIS, "trial " + trial + ": the restarted replica served"
          + " its first read " + servedMillis.get(trial) + " ms after it answered queries again, bound "
          + BACK_BOUND_MILLIS + " ms (every trial: " + servedMillis + ")");
    }
  }

  private static List<Thread> startReaders(ReplicationDataSource ds, AtomicBoolean running,
      ConcurrentLinkedQueue<Long> failedStarts, AtomicLong firstServed) {
    List<Thread> readers = new ArrayList<>();
    for (int i = 0; i < READERS; i++) {
      Thread reader = new Thread(() -> {
        while (running.get()) {
          long start = System.nanoTime();
          try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            if (PgCluster.queryLong(c, "SELECT inet_server_port()") == REPLICA2_PORT) {
              // 0 while the replica restarts: the first read it serves after that.
              firstServed.compareAndSet(0, System.nanoTime());
            }
          } catch (SQLException e) {
            failedStarts.add(start);
          }
        }
      }, "reader-" + i);
      reader.start();
      readers.add(reader);
    }
    return readers;
  }

  /** When the server at {@code url} first answers a query (a restarted replica is consistent). */
  private static long awaitAnswering(String url, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < deadline) {
      try (Connection c = PgCluster.direct(url)) {
        PgCluster.queryLong(c, "SELECT 1");
        return System.nanoTime();
      } catch (SQLException e) {
        Thread.sleep(5);
      }
    }
    throw new AssertionError(url + " not answering within " + millis + " ms");
  }

  private static void awaitNonZero(AtomicLong value, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (value.get() == 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no change within " + millis + " ms");
      }
      Thread.sleep(5);
    }
  }
}
