package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.pool.HikariProxyConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The monitor's schedule and probe timeout, on a scheduler the test drives. */
class MonitorScheduleTest {

  private final ScriptedDialect dialect = new ScriptedDialect();
  private final ManualScheduler time = new ManualScheduler();
  private H2Nodes h2;
  private ReplicationDataSource ds;

  @BeforeEach
  void setUp() throws SQLException {
    h2 = new H2Nodes();
    dialect.primary("primary", 1000, 1);
    dialect.replica("replica1", 1000, 1);
    dialect.replica("replica2", 1000, 1);
  }

  @AfterEach
  void tearDown() throws SQLException {
    if (ds != null) {
      ds.close();
    }
    h2.close();
  }

  private NodeState state(String node) {
    return ds.status().stream().filter(s -> s.name().equals(node)).findFirst().orElseThrow().state();
  }

  @Test
  void theMonitorProbesEveryHealthIntervalOfTheSchedulersTime() {
    ds = ReplicationDataSource.create(h2.builder().dialect(dialect).scheduler(time).clock(time)
        .monitor(true).healthInterval(Duration.ofMillis(250)).build());
    assertEquals(NodeState.REPLICA, state("replica1"), "the first poll, at start");
    dialect.fail("replica1");
    time.advance(Duration.ofMillis(249));
    assertEquals(NodeState.REPLICA, state("replica1"), "not probed before the interval");
    time.advance(Duration.ofMillis(1));
    assertEquals(NodeState.DOWN, state("replica1"), "probed at the interval");
    dialect.heal("replica1");
    time.advance(Duration.ofMillis(249));
    assertEquals(NodeState.DOWN, state("replica1"));
    time.advance(Duration.ofMillis(1));
    assertEquals(NodeState.REPLICA, state("replica1"), "back at the next interval");
    time.advance(Duration.ofSeconds(10));
    assertEquals(NodeState.REPLICA, state("replica1"));
    assertEquals(NodeState.PRIMARY, state("primary"));
  }

  @Test
  void aProbeThatStartedBeforeAConnectionToItsNodeBrokeDoesNotBringTheNodeBack() throws SQLException {
    ds = ReplicationDataSource.create(h2.builder().dialect(dialect).scheduler(time).clock(time).build());
    Connection reader = ds.getConnection();
    reader.setReadOnly(true);
    String node = H2Nodes.whoami(reader);
    // The node's probe answers, but while it runs a reader's connection to the node breaks
    // (closed under it), and the reader marks the node down on closing it.
    dialect.duringProbe(node, () -> {
      try {
        reader.unwrap(HikariProxyConnection.class).close();
        reader.close();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    ds.refresh();
    assertEquals(NodeState.DOWN, state(node), "the failure seen during the probe outranks its answer");
    dialect.duringProbe(node, () -> { });
    ds.refresh();
    assertEquals(NodeState.REPLICA, state(node), "the next probe brings it back");
  }

  @Test
  void aProbeThatOutlastsTheProbeTimeoutOnTheSchedulersTimeMarksItsNodeDown() {
    // One replica: the probes of several replicas run at once, and a probe that moves the
    // shared time would move it under the others too.
    ds = ReplicationDataSource.create(ReplicationConfig.builder().name("test")
        .primary("primary", h2.primary).replica("replica2", h2.replica2, 1).monitor(false)
        .dialect(dialect).scheduler(time).clock(time).probeTimeout(Duration.ofSeconds(1)).build());
    dialect.duringProbe("replica2", () -> time.pass(Duration.ofMillis(999)));
    ds.refresh();
    assertEquals(NodeState.REPLICA, state("replica2"), "999 ms is within the timeout");
    dialect.duringProbe("replica2", () -> time.pass(Duration.ofMillis(1001)));
    ds.refresh();
    assertEquals(NodeState.DOWN, state("replica2"));
    NodeStatus status = ds.status().get(1);
    assertTrue(status.detail().contains("no answer within 1000 ms"), status.detail());
  }

  private ReplicationDataSource oneReplica() {
    // One replica: the probes of several replicas run at once, and a probe that moves the
    // shared time would move it under the others too.
    return ReplicationDataSource.create(ReplicationConfig.builder().name("test")
        .primary("primary", h2.primary).replica("replica2", h2.replica2, 1).monitor(false)
        .dialect(dialect).scheduler(time).clock(time).probeTimeout(Duration.ofSeconds(1)).build());
  }

  /** Makes the probes of {@code node} hang until {@code release}, signalling {@code entered}. */
  private void hangProbes(String node, CountDownLatch entered, CountDownLatch release) {
    dialect.duringProbe(node, () -> {
      entered.countDown();
      // as a driver blocked on its socket: an interrupt does not end the wait
      boolean released = false;
      while (!released) {
        try {
          released = release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          // keep waiting
        }
      }
    });
  }

  @Test
  void aRefreshOnAnInterruptedThreadMarksNoNodeDown() throws SQLException {
    ds = ReplicationDataSource.create(h2.builder().dialect(dialect).scheduler(time).clock(time).build());
    Thread.currentThread().interrupt();
    boolean stillInterrupted;
    try {
      ds.refresh();
    } finally {
      stillInterrupted = Thread.interrupted();
    }
    assertTrue(stillInterrupted, "the caller's interrupt is kept");
    assertEquals(List.of(NodeState.PRIMARY, NodeState.REPLICA, NodeState.REPLICA),
        ds.status().stream().map(NodeStatus::state).toList(),
        "an interrupt of the polling thread says nothing about the nodes");
    try (Connection c = ds.getConnection()) {
      assertEquals("primary", H2Nodes.whoami(c), "writes still go to the primary");
    }
  }

  @Test
  void aProbeStillRunningFromAnEarlierPollHasNoFreshTimeout() throws Exception {
    ds = oneReplica();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    hangProbes("replica2", entered, release);
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<?> first = caller.submit(ds::refresh);
      assertTrue(entered.await(10, TimeUnit.SECONDS));
      time.pass(Duration.ofMillis(1001));
      first.get(10, TimeUnit.SECONDS);
      assertEquals(NodeState.DOWN, state("replica2"), "no answer within the probe timeout");
      // The next poll finds that probe still running and waits for it again; it answers at
      // once, 1001 ms after it was submitted.
      AtomicInteger awaits = new AtomicInteger();
      time.onAwait(() -> {
        if (awaits.incrementAndGet() == 2) {
          release.countDown();
        }
      });
      caller.submit(ds::refresh).get(10, TimeUnit.SECONDS);
      assertEquals(2, awaits.get(), "the primary's probe, then the replica's");
      assertEquals(NodeState.DOWN, state("replica2"),
          "an answer later than the probe timeout after its probe's submission is no answer");
      time.onAwait(() -> { });
      dialect.duringProbe("replica2", () -> { });
      ds.refresh();
      assertEquals(NodeState.REPLICA, state("replica2"), "a probe that answers in time brings it back");
    } finally {
      release.countDown();
      caller.shutdownNow();
    }
  }

  @Test
  void aProbeThatHangsUntilAfterCloseLeavesNoConnectionOrPoolBehind() throws Exception {
    ds = oneReplica();
    dialect.fail("replica2");
    ds.refresh();
    assertEquals(NodeState.DOWN, state("replica2"));
    dialect.heal("replica2");
    time.pass(Duration.ofSeconds(5));
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    hangProbes("replica2", entered, release);
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<?> poll = caller.submit(ds::refresh);
      assertTrue(entered.await(10, TimeUnit.SECONDS));
      time.pass(Duration.ofMillis(1001));
      poll.get(10, TimeUnit.SECONDS);
      assertEquals(NodeState.DOWN, state("replica2"));
      ds.close();
      ds = null;
      // The node's probe answers after the router closed: it must open nothing any more.
      release.countDown();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().startsWith("test-probe-")) {
          t.join(TimeUnit.SECONDS.toMillis(10));
        }
      }
      assertEquals(0, sessionsBesidesOwn(h2.replica2),
          "connections to replica2 still open after close (a pool renewed by the late probe)");
    } finally {
      release.countDown();
      caller.shutdownNow();
    }
  }

  /** Sessions open on an in-memory database, besides the asking one and H2Nodes' keep-alive. */
  private static int sessionsBesidesOwn(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS")) {
      r.next();
      return r.getInt(1) - 2;
    }
  }
}
