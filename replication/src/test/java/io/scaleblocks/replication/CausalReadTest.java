package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try")
class CausalReadTest {

  private final ScriptedDialect dialect = new ScriptedDialect();
  private H2Nodes h2;
  private ReplicationDataSource ds;
  private final ManualScheduler time = new ManualScheduler();
  private final List<Boolean> outcomes = new ArrayList<>();
  private final List<Long> waited = new ArrayList<>();

  @BeforeEach
  void setUp() throws SQLException {
    h2 = new H2Nodes();
    dialect.primary("primary", 1000, 1);
    dialect.replica("replica1", 1000, 1);
    dialect.replica("replica2", 1000, 1);
    ds = start(Duration.ofMillis(50), Duration.ofMillis(5));
  }

  private ReplicationDataSource start(Duration causalWait, Duration causalPoll) {
    ReplicationDataSource router = ReplicationDataSource.create(h2.builder().dialect(dialect)
        .scheduler(time).clock(time).causalWait(causalWait).causalPoll(causalPoll).build());
    router.addListener(new ReplicationListener() {
      @Override
      public void onCausalRead(boolean servedByReplica, long waitedNanos) {
        outcomes.add(servedByReplica);
        waited.add(waitedNanos);
      }
    });
    return router;
  }

  @AfterEach
  void tearDown() throws SQLException {
    ds.close();
    h2.close();
  }

  private String write() throws SQLException {
    try (Connection c = ds.getConnection()) {
      return H2Nodes.whoami(c);
    }
  }

  private String read() throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setReadOnly(true);
      return H2Nodes.whoami(c);
    }
  }

  @Test
  void aCommitInTheScopeCapturesTheTokenAndReadsWaitForIt() throws SQLException {
    try (CausalScope scope = ds.causalScope()) {
      dialect.primary("primary", 5000, 1);
      assertEquals("primary", write());
      assertEquals(new CausalToken(5000), scope.token().orElseThrow());
      assertEquals("primary", read(), "no replica has replayed 5000: the primary serves the read");
      assertEquals(50_000_000L, waited.get(0), "after waiting the bound on the scheduler's time");
      dialect.replica("replica2", 5000, 1);
      for (int i = 0; i < 4; i++) {
        assertEquals("replica2", read(), "only the replica that caught up serves it");
      }
    }
    assertEquals(List.of(false, true, true, true, true), outcomes);
    assertTrue(read().startsWith("replica"), "outside the scope reads need no token");
  }

  @Test
  void aCausalWaitEndsAfterCausalWaitOnTheSchedulersTimeAndThenReadsThePrimary() throws SQLException {
    ds.close();
    ds = start(Duration.ofSeconds(30), Duration.ofMillis(100));
    try (CausalScope scope = ds.causalScope()) {
      dialect.primary("primary", 5000, 1);
      write();
      long realStart = System.nanoTime();
      long start = time.nanoTime();
      assertEquals("primary", read(), "no replica reached the token within causal-wait");
      assertEquals(Duration.ofSeconds(30).toNanos(), time.nanoTime() - start, "waited causal-wait, no more, no less");
      assertEquals(List.of(false), outcomes);
      assertEquals(List.of(Duration.ofSeconds(30).toNanos()), waited);
      assertTrue(System.nanoTime() - realStart < Duration.ofSeconds(15).toNanos(),
          "the 30 s wait ran on the scheduler's time, not on the wall");
    }
  }

  @Test
  void replicasThatCatchUpDuringTheWaitServeTheReadAtTheNextPoll() throws SQLException {
    ds.close();
    ds = start(Duration.ofSeconds(1), Duration.ofMillis(100));
    try (CausalScope scope = ds.causalScope()) {
      dialect.primary("primary", 5000, 1);
      write();
      time.schedule(Duration.ofMillis(250), () -> {
        dialect.replica("replica1", 5000, 1);
        dialect.replica("replica2", 5000, 1);
      });
      assertTrue(read().startsWith("replica"));
      assertEquals(List.of(true), outcomes);
      assertEquals(List.of(Duration.ofMillis(300).toNanos()), waited, "seen at the first poll after it caught up");
    }
  }

  @Test
  void anExplicitTransactionCapturesAtCommit() throws SQLException {
    try (CausalScope scope = ds.causalScope()) {
      try (Connection c = ds.getConnection()) {
        c.setAutoCommit(false);
        H2Nodes.whoami(c);
        dialect.primary("primary", 7000, 1);
        c.commit();
        assertEquals(new CausalToken(7000), scope.token().orElseThrow());
      }
    }
  }

  @Test
  void aTokenPassedAsTextToAnotherInstanceGivesItReadYourWrites() throws SQLException {
    String header;
    try (CausalScope scope = ds.causalScope()) {
      dialect.primary("primary", 0x1_0000_0010L, 1);
      write();
      header = scope.token().orElseThrow().toString();
    }
    assertEquals("1/10", header);
    try (ReplicationDataSource other = ReplicationDataSource.create(h2.builder().name("other")
        .dialect(dialect).causalWait(Duration.ZERO).build());
        CausalScope scope = other.causalScope(CausalToken.parse(header))) {
      try (Connection c = other.getConnection()) {
        c.setReadOnly(true);
        assertEquals("primary", H2Nodes.whoami(c));
      }
      dialect.replica("replica1", 0x1_0000_0010L, 1);
      dialect.replica("replica2", 0x1_0000_0010L, 1);
      other.refresh();
      try (Connection c = other.getConnection()) {
        c.setReadOnly(true);
        assertTrue(H2Nodes.whoami(c).startsWith("replica"));
      }
    }
  }

  @Test
  void aNestedScopeHandsItsTokenToTheEnclosingOne() throws SQLException {
    try (CausalScope outer = ds.causalScope()) {
      try (CausalScope inner = ds.causalScope()) {
        dialect.primary("primary", 9000, 1);
        write();
      }
      assertEquals(new CausalToken(9000), outer.token().orElseThrow());
    }
  }

  @Test
  void tokensHaveAStableTextForm() {
    CausalToken token = new CausalToken(0x16_B374_D848L);
    assertEquals("16/B374D848", token.toString());
    assertEquals(token, CausalToken.parse("16/b374d848"));
    assertEquals(new CausalToken(-1L), CausalToken.parse("FFFFFFFF/FFFFFFFF"));
    assertTrue(new CausalToken(-1L).compareTo(token) > 0, "unsigned order");
    for (String bad : List.of("", "16", "/1", "1/", "123456789/1", "x/1", "1/2/3")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CausalToken.parse(bad));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }
}
