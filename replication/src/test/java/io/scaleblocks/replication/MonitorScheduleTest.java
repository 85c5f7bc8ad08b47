package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.pool.HikariProxyConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
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
}
