package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Roles, lag and fencing, driven by scripted probes on a fake clock. */
class TopologyTest {

  private final ScriptedDialect dialect = new ScriptedDialect();
  private final MutableClock clock = new MutableClock();
  private H2Nodes h2;
  private ReplicationDataSource ds;
  private final List<String> events = new ArrayList<>();

  @BeforeEach
  void setUp() throws SQLException {
    h2 = new H2Nodes();
    dialect.primary("primary", 1000, 1);
    dialect.replica("replica1", 1000, 1);
    dialect.replica("replica2", 1000, 1);
  }

  private void start(long maxLagBytes, Duration maxLag) {
    ds = ReplicationDataSource.create(h2.builder().dialect(dialect).clock(clock)
        .maxLagBytes(maxLagBytes).maxLag(maxLag).build());
    ds.addListener(new ReplicationListener() {
      @Override
      public void onNodeChange(NodeStatus previous, NodeStatus current) {
        events.add(current.name() + ":" + current.state());
      }

      @Override
      public void onPrimaryChange(Optional<String> previous, Optional<String> current) {
        events.add("primary:" + current.orElse("none"));
      }
    });
  }

  @AfterEach
  void tearDown() throws SQLException {
    ds.close();
    h2.close();
  }

  private Map<String, NodeState> states() {
    Map<String, NodeState> states = new java.util.LinkedHashMap<>();
    ds.status().forEach(s -> states.put(s.name(), s.state()));
    return states;
  }

  private Set<String> readNodes(int reads) throws SQLException {
    Set<String> seen = new TreeSet<>();
    for (int i = 0; i < reads; i++) {
      try (Connection c = ds.getConnection()) {
        c.setReadOnly(true);
        seen.add(H2Nodes.whoami(c));
      }
    }
    return seen;
  }

  private String writeNode() throws SQLException {
    try (Connection c = ds.getConnection()) {
      return H2Nodes.whoami(c);
    }
  }

  @Test
  void aReplicaBeyondMaxLagBytesLeavesRotationAndReturnsWhenItCatchesUp() throws SQLException {
    start(10_000, Duration.ZERO);
    dialect.primary("primary", 100_000, 1);
    ds.refresh();
    assertEquals(NodeState.LAGGING, states().get("replica1"));
    assertEquals(99_000, ds.status().get(1).lagBytes());
    assertEquals(Set.of("primary"), readNodes(4), "with every replica lagging, reads go to the primary");
  }

  @Test
  void aReplicaBehindForLongerThanMaxLagLeavesRotation() throws SQLException {
    start(0, Duration.ofSeconds(2));
    clock.advance(Duration.ofSeconds(1));
    dialect.primary("primary", 2000, 1);
    dialect.replica("replica2", 2000, 1);
    ds.refresh();
    assertEquals(NodeState.REPLICA, states().get("replica1"), "1 s behind is within the bound");
    clock.advance(Duration.ofMillis(2500));
    dialect.primary("primary", 3000, 1);
    dialect.replica("replica2", 3000, 1);
    ds.refresh();
    assertEquals(NodeState.LAGGING, states().get("replica1"));
    assertEquals(Duration.ofMillis(3500), ds.status().get(1).lag());
    assertEquals(NodeState.REPLICA, states().get("replica2"));
  }

  @Test
  void anIdlePrimaryExcludesNoReplicaHoweverOldTheLastWrite() throws SQLException {
    start(1, Duration.ofMillis(100));
    for (int i = 0; i < 60; i++) {
      clock.advance(Duration.ofSeconds(1));
      ds.refresh();
    }
    assertEquals(Map.of("primary", NodeState.PRIMARY, "replica1", NodeState.REPLICA, "replica2", NodeState.REPLICA), states());
    assertEquals(Duration.ZERO, ds.status().get(1).lag());
  }

  @Test
  void aDownPrimaryFailsWritesAtOnceNamingItAndAPromotedReplicaTakesThem() throws SQLException {
    start(0, Duration.ZERO);
    dialect.fail("primary");
    ds.refresh();
    long start = System.nanoTime();
    SQLTransientConnectionException e = assertThrows(SQLTransientConnectionException.class, this::writeNode);
    assertTrue(System.nanoTime() - start < 100_000_000L, "fails fast");
    assertTrue(e.getMessage().contains("no primary") && e.getMessage().contains("primary (jdbc:h2:mem:primary"), e.getMessage());
    assertEquals(Set.of("replica1", "replica2"), readNodes(4), "reads go on");
    dialect.replica("replica1", 1200, 1);
    dialect.primary("replica1", 1300, 2);
    ds.refresh();
    assertEquals("replica1", writeNode());
    assertEquals(Set.of("replica2"), readNodes(4));
    assertTrue(events.contains("primary:none") && events.contains("primary:replica1"), events.toString());
  }

  @Test
  void anOldPrimaryBackAsAPrimaryIsFencedAndGetsNothing() throws SQLException {
    start(0, Duration.ZERO);
    dialect.fail("primary");
    ds.refresh();
    dialect.primary("replica1", 1300, 2);
    ds.refresh();
    dialect.heal("primary");
    ds.refresh();
    assertEquals(NodeState.FENCED, states().get("primary"));
    assertTrue(ds.status().get(0).detail().contains("split brain"), ds.status().get(0).detail());
    assertEquals("replica1", writeNode());
    assertEquals(Set.of("replica2"), readNodes(4));
    dialect.fail("replica1");
    ds.refresh();
    assertEquals(NodeState.FENCED, states().get("primary"), "never back to an older timeline");
    assertThrows(SQLTransientConnectionException.class, this::writeNode);
  }

  @Test
  void anOldPrimaryBackAsAReplicaServesReads() throws SQLException {
    start(0, Duration.ZERO);
    dialect.fail("primary");
    ds.refresh();
    dialect.primary("replica1", 1300, 2);
    ds.refresh();
    dialect.heal("primary");
    dialect.replica("primary", 1300, 2);
    ds.refresh();
    assertEquals(NodeState.REPLICA, states().get("primary"));
    assertEquals(Set.of("primary", "replica2"), readNodes(6));
    assertEquals("replica1", writeNode());
  }

  @Test
  void aConfiguredReplicaThatIsAPrimaryIsFencedAndReported() throws SQLException {
    dialect.primary("replica2", 1000, 1);
    start(0, Duration.ZERO);
    assertEquals(NodeState.FENCED, states().get("replica2"));
    assertEquals("primary", writeNode());
    assertEquals(Set.of("replica1"), readNodes(4));
  }

  @Test
  void aConfiguredPrimaryInRecoveryServesReadsAndWritesFailNamingIt() throws SQLException {
    dialect.replica("primary", 1000, 1);
    start(0, Duration.ZERO);
    assertEquals(NodeState.REPLICA, states().get("primary"));
    SQLException e = assertThrows(SQLException.class, this::writeNode);
    assertTrue(e.getMessage().contains("primary (jdbc:h2:mem:primary"), e.getMessage());
    assertEquals(Set.of("primary", "replica1", "replica2"), readNodes(6));
  }

  @Test
  void aReplicaThatStopsAnsweringLeavesRotationAndReturns() throws SQLException {
    start(0, Duration.ZERO);
    dialect.fail("replica2");
    ds.refresh();
    assertEquals(NodeState.DOWN, states().get("replica2"));
    assertEquals(Set.of("replica1"), readNodes(6));
    dialect.heal("replica2");
    ds.refresh();
    assertEquals(Set.of("replica1", "replica2"), readNodes(6));
  }

  @Test
  void aThrowingListenerChangesNothing() throws SQLException {
    start(0, Duration.ZERO);
    ds.addListener(new ReplicationListener() {
      @Override
      public void onNodeChange(NodeStatus previous, NodeStatus current) {
        throw new IllegalStateException("listener bug");
      }
    });
    List<String> later = new ArrayList<>();
    ds.addListener(new ReplicationListener() {
      @Override
      public void onNodeChange(NodeStatus previous, NodeStatus current) {
        later.add(current.name());
      }
    });
    dialect.fail("replica1");
    ds.refresh();
    assertEquals(NodeState.DOWN, states().get("replica1"));
    assertEquals(List.of("replica1"), later, "the listener after the throwing one still runs");
    assertEquals(Set.of("replica2"), readNodes(4));
  }

  @Test
  void onlyTheLaggingReplicaLeaves() throws SQLException {
    start(10_000, Duration.ZERO);
    dialect.primary("primary", 100_000, 1);
    dialect.replica("replica2", 95_000, 1);
    ds.refresh();
    assertEquals(Map.of("primary", NodeState.PRIMARY, "replica1", NodeState.LAGGING, "replica2", NodeState.REPLICA), states());
    assertEquals(Set.of("replica2"), readNodes(6));
    dialect.replica("replica1", 99_000, 1);
    ds.refresh();
    assertEquals(NodeState.REPLICA, states().get("replica1"));
    assertEquals(Set.of("replica1", "replica2"), readNodes(6));
    assertTrue(events.contains("replica1:LAGGING") && events.contains("replica1:REPLICA"), events.toString());
  }
}
