package io.scaleblocks.replication;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Optional;

/**
 * PostgreSQL: positions as {@code pg_wal_lsn_diff(lsn, '0/0')}, so they arrive as numbers. The
 * timeline is the larger of the last checkpoint's ({@code pg_control_checkpoint()}) and, on a
 * primary, the one in its current WAL file name, which changes at promotion before the
 * end-of-recovery checkpoint completes.
 */
final class PostgresDialect implements Dialect {

  static final PostgresDialect INSTANCE = new PostgresDialect();

  private static final String PROBE = "SELECT r.rec,"
      + " pg_wal_lsn_diff(CASE WHEN r.rec THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END, '0/0')::bigint,"
      + " pg_last_xact_replay_timestamp(),"
      + " greatest(c.timeline_id, CASE WHEN r.rec THEN 0"
      + " ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END)"
      + " FROM (SELECT pg_is_in_recovery() AS rec) r, pg_control_checkpoint() c";

  private PostgresDialect() {}

  @Override
  public boolean inspectsReplication() {
    return true;
  }

  @Override
  public Probe probe(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(PROBE)) {
      row.next();
      boolean inRecovery = row.getBoolean(1);
      long position = row.getLong(2);
      Timestamp replayed = row.getTimestamp(3);
      long timeline = row.getLong(4);
      return new Probe(inRecovery, position,
          Optional.ofNullable(replayed).map(Timestamp::toInstant), timeline);
    }
  }

  @Override
  public long commitPosition(Connection connection) throws SQLException {
    return single(connection, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
  }

  @Override
  public long replayPosition(Connection connection) throws SQLException {
    return single(connection,
        "SELECT coalesce(pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0'), 0)::bigint");
  }

  private static long single(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    }
  }

  @Override
  public String toString() {
    return "postgresql";
  }
}
