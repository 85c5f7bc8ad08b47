package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Write→read pairs against a replica that applies the log 500 ms late
 * ({@code recovery_min_apply_delay}): with a causal token no read is stale, without one reads
 * are. 300 pairs; 10,000 with {@code -Dscaleblocks.long=true}.
 */
@SuppressWarnings("try")
class ReadYourWritesIT {

  private static final int PAIRS = Boolean.getBoolean("scaleblocks.long") ? 10_000 : 300;
  private static final int REPLICA1_PORT = PgCluster.port(PgCluster.REPLICAS.get(0));

  @BeforeAll
  static void delayReplica() throws SQLException {
    PgCluster.require();
    try (Connection c = PgCluster.direct(PgCluster.PRIMARY)) {
      PgCluster.execute(c, "CREATE TABLE IF NOT EXISTS ryw_it(id bigint PRIMARY KEY)");
      PgCluster.execute(c, "TRUNCATE ryw_it");
    }
    PgCluster.superuser("pg-replica1", "ALTER SYSTEM SET recovery_min_apply_delay = '500ms'");
    PgCluster.superuser("pg-replica1", "SELECT pg_reload_conf()");
  }

  @AfterAll
  static void undelay() {
    PgCluster.superuser("pg-replica1", "ALTER SYSTEM RESET recovery_min_apply_delay");
    PgCluster.superuser("pg-replica1", "SELECT pg_reload_conf()");
  }

  /** Primary plus the delayed replica only. */
  private static ReplicationConfig delayed(String name, Duration causalWait) {
    return ReplicationConfig.builder().name(name).hikari(PgCluster.hikari())
        .primary("pg-primary", PgCluster.PRIMARY).replica("pg-replica1", PgCluster.REPLICAS.get(0), 1)
        .healthInterval(Duration.ofMillis(100)).connectTimeout(Duration.ofMillis(250))
        .maxLag(Duration.ZERO).causalWait(causalWait).build();
  }

  private static void insert(ReplicationDataSource ds, long id) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement s = c.prepareStatement("INSERT INTO ryw_it(id) VALUES (?)")) {
      s.setLong(1, id);
      s.executeUpdate();
    }
  }

  /** Whether the read saw row {@code id}, and on which port. */
  private static int[] read(ReplicationDataSource ds, long id) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setReadOnly(true);
      try (PreparedStatement s = c.prepareStatement(
          "SELECT count(*), inet_server_port() FROM ryw_it WHERE id = ?")) {
        s.setLong(1, id);
        try (ResultSet row = s.executeQuery()) {
          row.next();
          return new int[] {row.getInt(1), row.getInt(2)};
        }
      }
    }
  }

  @Test
  void noReadIsStaleWithATokenInTheScopeOrPassedAsTextToAnotherInstance() throws Exception {
    try (ReplicationDataSource a = ReplicationDataSource.create(delayed("ryw-a", Duration.ofMillis(20)));
        ReplicationDataSource b = ReplicationDataSource.create(delayed("ryw-b", Duration.ofMillis(20)))) {
      int stale = 0;
      int byReplica = 0;
      long readNanos = 0;
      for (int i = 0; i < PAIRS; i++) {
        long id = 1_000_000L + i;
        String header;
        int[] seen;
        long start;
        try (CausalScope scope = a.causalScope()) {
          insert(a, id);
          header = scope.token().orElseThrow().toString();
          if (i % 2 == 0) {
            start = System.nanoTime();
            seen = read(a, id);
            readNanos += System.nanoTime() - start;
          } else {
            seen = null;
            start = 0;
          }
        }
        if (seen == null) {
          try (CausalScope scope = b.causalScope(CausalToken.parse(header))) {
            start = System.nanoTime();
            seen = read(b, id);
            readNanos += System.nanoTime() - start;
          }
        }
        stale += seen[0] == 1 ? 0 : 1;
        byReplica += seen[1] == REPLICA1_PORT ? 1 : 0;
      }
      System.out.printf("read-your-writes, %d pairs, causal wait 20 ms, replica 500 ms behind: %d stale,"
          + " %.1f%% read from the replica, mean read %.2f ms%n",
          PAIRS, stale, 100.0 * byReplica / PAIRS, readNanos / 1e6 / PAIRS);
      assertEquals(0, stale);
    }
  }

  @Test
  void aLongerWaitReadsTheCaughtUpReplicaInsteadOfThePrimary() throws Exception {
    int pairs = 20;
    try (ReplicationDataSource ds = ReplicationDataSource.create(delayed("ryw-wait", Duration.ofSeconds(2)))) {
      int stale = 0;
      int byReplica = 0;
      long readNanos = 0;
      for (int i = 0; i < pairs; i++) {
        long id = 2_000_000L + i;
        try (CausalScope scope = ds.causalScope()) {
          insert(ds, id);
          long start = System.nanoTime();
          int[] seen = read(ds, id);
          readNanos += System.nanoTime() - start;
          stale += seen[0] == 1 ? 0 : 1;
          byReplica += seen[1] == REPLICA1_PORT ? 1 : 0;
        }
      }
      double meanMillis = readNanos / 1e6 / pairs;
      System.out.printf("read-your-writes, %d pairs, causal wait 2 s: %d stale, %d read from the replica,"
          + " mean read %.1f ms%n", pairs, stale, byReplica, meanMillis);
      assertEquals(0, stale);
      assertEquals(pairs, byReplica, "every read waited for the replica instead of going to the primary");
      assertTrue(meanMillis >= 400, "the replica really was behind: " + meanMillis + " ms");
    }
  }

  @Test
  void withoutATokenReadsOnTheDelayedReplicaAreStale() throws Exception {
    try (ReplicationDataSource ds = ReplicationDataSource.create(delayed("ryw-control", Duration.ofMillis(20)))) {
      int stale = 0;
      for (int i = 0; i < 20; i++) {
        long id = 3_000_000L + i;
        insert(ds, id);
        int[] seen = read(ds, id);
        assertEquals(REPLICA1_PORT, seen[1]);
        stale += seen[0] == 1 ? 0 : 1;
      }
      assertTrue(stale >= 15, "the control shows the delay: " + stale + " of 20 stale");
    }
  }
}
