package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Read-your-writes when the writing connection is still open, and tokens that no replica will
 * reach, against a replica whose replay is paused ({@code pg_wal_replay_pause()}).
 */
@SuppressWarnings("try")
class CausalAutoCommitIT {

  private static final int PRIMARY_PORT = PgCluster.port(PgCluster.PRIMARY);
  private static final int REPLICA1_PORT = PgCluster.port(PgCluster.REPLICAS.get(0));

  @BeforeAll
  static void servers() throws SQLException {
    PgCluster.require();
    try (Connection c = PgCluster.direct(PgCluster.PRIMARY)) {
      PgCluster.execute(c, "CREATE TABLE IF NOT EXISTS causal_ac_it(id bigint PRIMARY KEY)");
      PgCluster.execute(c, "TRUNCATE causal_ac_it");
    }
  }

  @BeforeEach
  void pause() throws Exception {
    PgCluster.awaitReplicasCaughtUp();
    PgCluster.superuser("pg-replica1", "SELECT pg_wal_replay_pause()");
  }

  @AfterEach
  void resume() {
    PgCluster.superuser("pg-replica1", "SELECT pg_wal_replay_resume()");
  }

  /** Primary plus the paused replica, which stays in rotation (no lag bound is reached). */
  private static ReplicationDataSource create(String name, Duration causalWait) {
    return ReplicationDataSource.create(ReplicationConfig.builder().name(name).hikari(PgCluster.hikari())
        .primary("pg-primary", PgCluster.PRIMARY).replica("pg-replica1", PgCluster.REPLICAS.get(0), 1)
        .healthInterval(Duration.ofMillis(100)).connectTimeout(Duration.ofMillis(250))
        .maxLag(Duration.ofHours(1)).maxLagBytes(Long.MAX_VALUE).causalWait(causalWait).build());
  }

  /** {count of rows with id, port of the server that answered}. */
  private static long[] read(ReplicationDataSource ds, long id) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setReadOnly(true);
      try (PreparedStatement s = c.prepareStatement(
          "SELECT count(*), inet_server_port() FROM causal_ac_it WHERE id = ?")) {
        s.setLong(1, id);
        try (ResultSet row = s.executeQuery()) {
          row.next();
          return new long[] {row.getLong(1), row.getLong(2)};
        }
      }
    }
  }

  @Test
  void anAutoCommitWriteOnAConnectionStillOpenIsSeenByTheNextReadInTheScope() throws Exception {
    try (ReplicationDataSource ds = create("causal-ac", Duration.ofMillis(20))) {
      try (CausalScope scope = ds.causalScope(); Connection writer = ds.getConnection()) {
        try (PreparedStatement s = writer.prepareStatement("INSERT INTO causal_ac_it(id) VALUES (?)")) {
          s.setLong(1, 1);
          s.executeUpdate();
        }
        long[] seen = read(ds, 1);
        assertEquals(1, seen[0], "the read missed its own committed write (served by port " + seen[1] + ")");
        assertEquals(PRIMARY_PORT, seen[1], "the paused replica cannot have it");
        assertTrue(scope.token().isPresent());
      }
      assertEquals(0, read(ds, 1)[0], "control: outside the scope the paused replica answers, without the row");
    }
  }

  @Test
  void aTokenAheadOfThePrimaryIsIgnoredInsteadOfWaitedFor() throws Exception {
    long primaryPosition;
    try (Connection c = PgCluster.direct(PgCluster.PRIMARY)) {
      primaryPosition = PgCluster.queryLong(c, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
    }
    try (ReplicationDataSource ds = create("causal-ahead", Duration.ofSeconds(5));
        CausalScope scope = ds.causalScope(new CausalToken(primaryPosition + (1L << 40)))) {
      long start = System.nanoTime();
      long[] seen = read(ds, 2);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis < 2_000, "waited " + millis + " ms for a token the primary never wrote");
      assertEquals(REPLICA1_PORT, seen[1], "read as without a token");
    }
  }
}
