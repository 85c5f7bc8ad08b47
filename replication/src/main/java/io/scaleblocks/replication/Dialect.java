package io.scaleblocks.replication;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The few questions about replication that the router asks a database: is this node in recovery
 * (a replica), how far has it written or replayed its log, and on which timeline. PostgreSQL is
 * the one implemented ({@link #postgresql()}); {@link #none()} serves databases without
 * replication (H2, or replicas the router cannot inspect), where the configured roles are taken
 * as they are and only liveness is checked.
 *
 * <p>Implementations are stateless and thread-safe; each method runs one round trip on the
 * connection it is given and leaves it as it found it.
 */
public interface Dialect {

  /** PostgreSQL 10 or later; the role needs {@code pg_monitor} for the timeline. */
  static Dialect postgresql() {
    return PostgresDialect.INSTANCE;
  }

  /** No replication to inspect: roles as configured, no lag, no promotion detection. */
  static Dialect none() {
    return PlainDialect.INSTANCE;
  }

  /** The dialect for a JDBC URL: {@link #postgresql()} for {@code jdbc:postgresql:}, else {@link #none()}. */
  static Dialect forUrl(String jdbcUrl) {
    return jdbcUrl.startsWith("jdbc:postgresql:") ? postgresql() : none();
  }

  /** Whether this dialect reports recovery, positions and timelines ({@code false} for {@link #none()}). */
  boolean inspectsReplication();

  /** The node's replication state, in one round trip. */
  Probe probe(Connection connection) throws SQLException;

  /**
   * The log position a read must wait for after what this connection committed: on PostgreSQL
   * {@code pg_current_wal_lsn()}, which is at or past the end of every commit acknowledged so far.
   */
  long commitPosition(Connection connection) throws SQLException;

  /** How far a replica has replayed the log ({@code pg_last_wal_replay_lsn()}). */
  long replayPosition(Connection connection) throws SQLException;

  /**
   * What one probe of a node saw.
   *
   * @param inRecovery whether the node is a replica (PostgreSQL's {@code pg_is_in_recovery()})
   * @param position a primary's current log position, a replica's replay position
   * @param lastReplay when the last transaction a replica replayed committed on its primary
   * @param timeline the node's timeline; a promotion starts a higher one
   */
  record Probe(boolean inRecovery, long position, Optional<Instant> lastReplay, long timeline) {}
}
