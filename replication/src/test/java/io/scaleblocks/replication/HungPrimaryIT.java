package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A primary that hangs (its postmaster and every backend SIGSTOPped): a write blocked on it
 * fails once the monitor marks it down, or after the network timeout without a monitor; it
 * never blocks for good. The processes are always continued.
 */
@SuppressWarnings("try")
class HungPrimaryIT {

  private static final ExecutorService writers = Executors.newCachedThreadPool();

  @BeforeAll
  static void servers() throws SQLException {
    PgCluster.require();
    try (Connection c = PgCluster.direct(PgCluster.PRIMARY)) {
      PgCluster.execute(c, "CREATE TABLE IF NOT EXISTS hung_it(id bigint)");
    }
  }

  @AfterAll
  static void stopWriters() {
    writers.shutdownNow();
  }

  /** The primary's postmaster and all its children. */
  private static List<Long> primaryProcesses() throws Exception {
    String dataDirectory = PgCluster.superuser("pg-primary", "SHOW data_directory");
    long postmaster = Long.parseLong(
        Files.readAllLines(Path.of(dataDirectory, "postmaster.pid")).get(0).trim());
    List<Long> pids = new ArrayList<>();
    pids.add(postmaster);
    ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(p -> pids.add(p.pid()));
    return pids;
  }

  private static void signal(String signal, List<Long> pids) throws Exception {
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(pid -> command.add(Long.toString(pid)));
    Process kill = new ProcessBuilder(command).inheritIO().start();
    // A backend that exited between the listing and the kill makes kill fail for its pid only:
    // every other process got the signal.
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS)
        && (kill.exitValue() == 0 || pids.stream().skip(1).anyMatch(pid -> ProcessHandle.of(pid).isEmpty())),
        "kill -" + signal + " " + pids);
  }

  /** Starts a write on {@code c} (already bound to the primary); returns its duration in ms. */
  private static Future<Long> writeOn(Connection c) {
    return writers.submit(() -> {
      long start = System.nanoTime();
      try {
        PgCluster.execute(c, "INSERT INTO hung_it VALUES (1)");
        return -1L;
      } catch (SQLException e) {
        return (System.nanoTime() - start) / 1_000_000;
      }
    });
  }

  private static void awaitPrimaryWritable(ReplicationDataSource ds) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (true) {
      try (Connection c = ds.getConnection()) {
        PgCluster.execute(c, "INSERT INTO hung_it VALUES (0)");
        return;
      } catch (SQLException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the primary took no write 20 s after SIGCONT", e);
        }
        Thread.sleep(100);
      }
    }
  }

  @Test
  void aWriteBlockedOnAHungPrimaryFailsWhenTheMonitorMarksItDown() throws Exception {
    try (ReplicationDataSource ds = ReplicationDataSource.create(PgCluster.builder("hung-monitor")
        .probeTimeout(Duration.ofMillis(500)).networkTimeout(Duration.ofSeconds(60)).build())) {
      Connection blocked = ds.getConnection();
      PgCluster.execute(blocked, "SELECT 1");
      List<Long> pids = primaryProcesses();
      Future<Long> write;
      long newWriteMillis;
      try {
        signal("STOP", pids);
        write = writeOn(blocked);
        long failedAfter = write.get(10, TimeUnit.SECONDS);
        assertTrue(failedAfter >= 0, "the write on the hung primary succeeded");
        assertTrue(failedAfter < 3_000, "failed only after " + failedAfter + " ms");
        long start = System.nanoTime();
        assertThrows(SQLException.class, () -> {
          try (Connection c = ds.getConnection()) {
            PgCluster.execute(c, "INSERT INTO hung_it VALUES (2)");
          }
        });
        newWriteMillis = (System.nanoTime() - start) / 1_000_000;
      } finally {
        signal("CONT", pids);
      }
      assertTrue(newWriteMillis < 1_000, "a new write failed only after " + newWriteMillis + " ms");
      blocked.close();
      awaitPrimaryWritable(ds);
    }
  }

  @Test
  void withoutAMonitorTheNetworkTimeoutEndsTheWrite() throws Exception {
    try (ReplicationDataSource ds = ReplicationDataSource.create(PgCluster.builder("hung-timeout")
        .monitor(false).networkTimeout(Duration.ofMillis(1500)).build())) {
      Connection blocked = ds.getConnection();
      PgCluster.execute(blocked, "SELECT 1");
      assertEquals(1500, blocked.getNetworkTimeout());
      List<Long> pids = primaryProcesses();
      long failedAfter;
      try {
        signal("STOP", pids);
        failedAfter = writeOn(blocked).get(20, TimeUnit.SECONDS);
      } finally {
        signal("CONT", pids);
      }
      assertTrue(failedAfter >= 1_400 && failedAfter < 5_000, "failed after " + failedAfter + " ms");
      blocked.close();
      awaitPrimaryWritable(ds);
    }
  }
}
