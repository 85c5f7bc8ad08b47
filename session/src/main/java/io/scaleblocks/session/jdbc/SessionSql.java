package io.scaleblocks.session.jdbc;

/**
 * Every statement of the JDBC store, for one dialect and table name; all parameters are bound,
 * never concatenated (the table name is validated as an identifier once, by the builder).
 */
final class SessionSql {

  static final String COLUMNS = "s.session_key, s.id, s.created_at, s.last_access_at, s.renewed_at, s.idle_ms, "
      + "s.absolute_ms, s.renewal_ms, s.principal, s.seq";

  final String touch;
  final String find;
  final String select;
  final String insertSession;
  final String lockForSave;
  final String lockForSaveWithPrincipal;
  final String versions;
  final String insertAttribute;
  final String updateAttribute;
  final String deleteAttribute;
  /** Deletes a live session by id. */
  final String delete;
  /** Deletes by id what {@link #delete} left: a session past its deadline (counted expired). */
  final String deleteExpiredId;
  final String deleteByPrincipal;
  final String changeId;
  final String byPrincipal;
  final String count;
  /**
   * The cleanup's two steps. PostgreSQL and H2: lock a batch of expired rows, skipping rows another
   * transaction holds, then delete them by key. MySQL: read a batch of expired ids without locks,
   * then delete them by id, because InnoDB locks a row's id index entry too, and a delete by key
   * would take it after the row, in the opposite order of every request.
   */
  final String expiredBatch;
  final String deleteExpired;

  SessionSql(Dialect dialect, String table) {
    String attributes = table + "_attribute";
    String touchSet = " SET last_access_at = GREATEST(last_access_at, ?), "
        + "expires_at = LEAST(GREATEST(last_access_at, ?) + idle_ms, hard_deadline) ";
    touch = "UPDATE " + table + touchSet + "WHERE id = ? AND expires_at > ?";
    select = "SELECT " + COLUMNS + ", a.name, a.content, a.version FROM " + table + " s LEFT JOIN " + attributes
        + " a ON a.session_key = s.session_key WHERE s.id = ?";
    find = dialect == Dialect.POSTGRESQL
        ? "WITH s AS (UPDATE " + table + touchSet + "WHERE id = ? AND expires_at > ? RETURNING session_key, id, "
            + "created_at, last_access_at, renewed_at, idle_ms, absolute_ms, renewal_ms, principal, seq) SELECT "
            + COLUMNS + ", a.name, a.content, a.version FROM s LEFT JOIN " + attributes
            + " a ON a.session_key = s.session_key"
        : null;
    insertSession = "INSERT INTO " + table + " (session_key, id, created_at, last_access_at, renewed_at, idle_ms, "
        + "absolute_ms, renewal_ms, hard_deadline, expires_at, principal, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)";
    String lock = "UPDATE " + table + " SET seq = seq + 1, last_access_at = GREATEST(last_access_at, ?), "
        + "expires_at = LEAST(GREATEST(last_access_at, ?) + idle_ms, hard_deadline)";
    lockForSave = lock + " WHERE id = ? AND expires_at > ?";
    lockForSaveWithPrincipal = lock + ", principal = ? WHERE id = ? AND expires_at > ?";
    versions = "SELECT s.session_key, s.seq, a.name, a.version FROM " + table + " s LEFT JOIN " + attributes
        + " a ON a.session_key = s.session_key WHERE s.id = ?";
    insertAttribute = "INSERT INTO " + attributes + " (session_key, name, content, version) VALUES (?, ?, ?, ?)";
    updateAttribute = "UPDATE " + attributes + " SET content = ?, version = ? WHERE session_key = ? AND name = ?";
    deleteAttribute = "DELETE FROM " + attributes + " WHERE session_key = ? AND name = ?";
    delete = "DELETE FROM " + table + " WHERE id = ? AND expires_at > ?";
    deleteExpiredId = "DELETE FROM " + table + " WHERE id = ?";
    deleteByPrincipal = "DELETE FROM " + table + " WHERE principal = ? AND expires_at > ?";
    String hard = "LEAST(created_at + absolute_ms, CASE WHEN renewal_ms > 0 THEN ? + renewal_ms "
        + "ELSE created_at + absolute_ms END)";
    changeId = "UPDATE " + table + " SET id = ?, renewed_at = ?, last_access_at = GREATEST(last_access_at, ?), "
        + "hard_deadline = " + hard + ", expires_at = LEAST(GREATEST(last_access_at, ?) + idle_ms, " + hard + ") "
        + "WHERE id = ? AND expires_at > ?";
    byPrincipal = "SELECT id FROM " + table + " WHERE principal = ? AND expires_at > ? ORDER BY id";
    count = "SELECT COUNT(*) FROM " + table + " WHERE expires_at > ?";
    if (dialect == Dialect.MYSQL) {
      expiredBatch = "SELECT id FROM " + table + " WHERE expires_at <= ? ORDER BY expires_at LIMIT ?";
      deleteExpired = "DELETE FROM " + table + " WHERE id = ? AND expires_at <= ?";
    } else {
      expiredBatch = "SELECT session_key FROM " + table + " WHERE expires_at <= ? ORDER BY session_key LIMIT ? "
          + "FOR UPDATE SKIP LOCKED";
      deleteExpired = "DELETE FROM " + table + " WHERE session_key = ? AND expires_at <= ?";
    }
  }
}
