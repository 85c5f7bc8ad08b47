package io.scaleblocks.session.jdbc;

import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionStoreException;
import io.scaleblocks.session.internal.CoreSessionStore;
import io.scaleblocks.session.internal.Delta;
import io.scaleblocks.session.internal.SaveOutcome;
import io.scaleblocks.session.internal.SessionAccess;
import io.scaleblocks.session.internal.SessionRecord;
import io.scaleblocks.session.internal.StoreCore;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Sessions in two tables. Statements: a find is one ({@code UPDATE … RETURNING} joined with the
 * attributes) on PostgreSQL, an update and a select in a transaction elsewhere; a save with no
 * changes is none; a save with changes is one transaction: lock the session row (the {@code
 * UPDATE} that bumps its sequence), read the attribute versions, check them, write the changed
 * rows in batches, commit. Every writer locks the session row before any attribute row, and the
 * cleanup ({@link ExpiredSessionCleanup}) skips rows another transaction holds or, on MySQL, locks
 * in the requests' order, so it never waits for a request in a cycle. Work the database rolled
 * back as a deadlock victim runs again ({@link SqlRunner}): on MySQL at repeatable read, InnoDB's
 * gap locks can make a find and a rotation of one session deadlock.
 *
 * <p>A new session's insert carries a fresh random {@code session_key} and id; a duplicate (never
 * seen with 128 random bits) is caught by the unique keys and retried under a new id, so inserts
 * cannot collide silently. {@code changeId} is one {@code UPDATE} of the id column.
 */
final class SqlSessionStore extends CoreSessionStore implements JdbcSessionStore {

  private static final int MAX_ID_ATTEMPTS = 3;
  private static final SecureRandom KEYS = new SecureRandom();

  private final SqlRunner runner;
  private final Dialect dialect;
  private final SessionSql sql;
  private final ExpiredSessionCleanup cleanup;

  SqlSessionStore(JdbcSessionStores.Builder b) {
    super(new StoreCore(b.config, b.ids, b.clock));
    this.runner = new SqlRunner(b.dataSource, b.config.name());
    this.dialect = b.dialect;
    this.sql = new SessionSql(b.dialect, b.table);
    if (b.createSchema) {
      createSchema(JdbcSessionStores.schema(b.dialect, b.table));
    }
    this.cleanup = new ExpiredSessionCleanup(runner, sql, b.dialect, core, b.cleanupBatch, b.cleanupInterval);
  }

  private void createSchema(String ddl) {
    run("create schema", false, c -> {
      try (Statement st = c.createStatement()) {
        for (String statement : ddl.replaceAll("(?m)^--.*$", "").split(";")) {
          if (!statement.isBlank()) {
            st.execute(statement);
          }
        }
      }
      return null;
    });
  }

  @Override
  public Optional<Session> find(String id) {
    if (!core.acceptable(id)) {
      return Optional.empty();
    }
    long now = core.now();
    SessionRecord found = core.timed("find", () -> dialect == Dialect.POSTGRESQL
        ? run("find", false, c -> {
          try (PreparedStatement st = c.prepareStatement(sql.find)) {
            st.setLong(1, now);
            st.setLong(2, now);
            st.setString(3, id);
            st.setLong(4, now);
            return RowFormat.read(st, now);
          }
        })
        : run("find", true, c -> touch(c, id, now) == 0 ? null : select(c, id, now)));
    return Optional.ofNullable(found).map(SessionAccess::restoreOf);
  }

  private int touch(Connection c, String id, long now) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql.touch)) {
      st.setLong(1, now);
      st.setLong(2, now);
      st.setString(3, id);
      st.setLong(4, now);
      return st.executeUpdate();
    }
  }

  private SessionRecord select(Connection c, String id, long now) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql.select)) {
      st.setString(1, id);
      return RowFormat.read(st, now);
    }
  }

  @Override
  public boolean touch(String id) {
    if (!core.acceptable(id)) {
      return false;
    }
    long now = core.now();
    return core.timed("touch", () -> run("touch", false, c -> touch(c, id, now))) == 1;
  }

  @Override
  public void save(Session session) {
    core.save(session, (handle, delta) -> delta.isNew()
        ? run("save", true, c -> insert(c, delta))
        : run("save", true, c -> update(c, delta)));
  }

  private SaveOutcome insert(Connection c, Delta delta) throws SQLException {
    SessionRecord r = delta.created();
    String key = newKey();
    try (PreparedStatement st = c.prepareStatement(sql.insertSession)) {
      long hard = SessionRecord.hardDeadline(r.createdAt(), r.renewedAt(), r.absoluteMillis(), r.renewalMillis());
      st.setString(1, key);
      st.setString(2, r.id());
      long[] numbers = {r.createdAt(), r.lastAccessAt(), r.renewedAt(), r.idleMillis(), r.absoluteMillis(),
          r.renewalMillis(), hard, r.expiresAt()};
      for (int i = 0; i < numbers.length; i++) {
        st.setLong(3 + i, numbers[i]);
      }
      setPrincipal(st, 11, r.principal());
      st.executeUpdate();
    } catch (SQLException e) {
      if (isDuplicateKey(e)) {
        c.rollback();
        return new SaveOutcome.IdTaken();
      }
      throw e;
    }
    List<Delta.Change> sets = delta.changes().stream().filter(ch -> !ch.isRemoval()).toList();
    AttributeBatches.write(c, sql, key, sets, List.of(), List.of(), 1);
    return new SaveOutcome.Saved(1);
  }

  private SaveOutcome update(Connection c, Delta delta) throws SQLException {
    long now = delta.now();
    try (PreparedStatement st = c.prepareStatement(
        delta.principalChanged() ? sql.lockForSaveWithPrincipal : sql.lockForSave)) {
      int i = 1;
      st.setLong(i++, now);
      st.setLong(i++, now);
      if (delta.principalChanged()) {
        setPrincipal(st, i++, delta.principal());
      }
      st.setString(i++, delta.id());
      st.setLong(i, now);
      if (st.executeUpdate() == 0) {
        c.rollback();
        return SaveOutcome.GONE;
      }
    }
    String key = null;
    long seq = 0;
    Map<String, Long> versions = new HashMap<>();
    try (PreparedStatement st = c.prepareStatement(sql.versions)) {
      st.setString(1, delta.id());
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          key = rs.getString(1);
          seq = rs.getLong(2);
          String name = rs.getString(3);
          if (name != null) {
            versions.put(name, rs.getLong(4));
          }
        }
      }
    }
    List<String> conflicts = new ArrayList<>();
    List<Delta.Change> inserts = new ArrayList<>();
    List<Delta.Change> updates = new ArrayList<>();
    List<Delta.Change> removals = new ArrayList<>();
    for (Delta.Change ch : delta.changes()) {
      long current = versions.getOrDefault(ch.name(), 0L);
      if (current != ch.expectedVersion()) {
        conflicts.add(ch.name());
      } else if (ch.isRemoval()) {
        removals.add(ch);
      } else {
        (current == 0 ? inserts : updates).add(ch);
      }
    }
    if (!conflicts.isEmpty()) {
      c.rollback();
      return new SaveOutcome.Conflict(conflicts);
    }
    AttributeBatches.write(c, sql, key, inserts, updates, removals, seq);
    return new SaveOutcome.Saved(seq);
  }

  @Override
  public void delete(String id) {
    if (id == null || id.isEmpty()) {
      return;
    }
    long now = core.now();
    // live first, so that a session past its deadline is counted expired, not deleted
    int[] deleted = core.timed("delete", () -> run("delete", false, c -> {
      try (PreparedStatement live = c.prepareStatement(sql.delete)) {
        live.setString(1, id);
        live.setLong(2, now);
        if (live.executeUpdate() > 0) {
          return new int[] {1, 0};
        }
      }
      try (PreparedStatement any = c.prepareStatement(sql.deleteExpiredId)) {
        any.setString(1, id);
        return new int[] {0, any.executeUpdate()};
      }
    }));
    if (deleted[0] > 0) {
      core.countDeleted();
    }
    core.countExpired(deleted[1]);
  }

  @Override
  public void changeId(Session session) {
    if (session.isNew()) {
      SessionAccess.giveId(session, core.nextIdFor(session));
      return;
    }
    String oldId = session.id();
    long now = core.now();
    for (int attempt = 1; attempt <= MAX_ID_ATTEMPTS; attempt++) {
      String newId = core.nextIdFor(session);
      Integer changed = core.timed("changeId", () -> run("changeId", false, c -> rename(c, oldId, newId, now)));
      if (changed == null) {
        continue;
      }
      if (changed == 0) {
        throw core.gone(oldId);
      }
      SessionAccess.markRenamed(session, newId, now);
      core.countRotation();
      return;
    }
    throw new SessionStoreException(name() + " - no free id after " + MAX_ID_ATTEMPTS + " attempts", null);
  }

  /** Rows renamed (0 or 1), or null when the new id is taken. */
  private Integer rename(Connection c, String oldId, String newId, long now) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql.changeId)) {
      st.setString(1, newId);
      for (int i = 2; i <= 6; i++) {
        st.setLong(i, now);
      }
      st.setString(7, oldId);
      st.setLong(8, now);
      return st.executeUpdate();
    } catch (SQLException e) {
      if (isDuplicateKey(e)) {
        return null;
      }
      throw e;
    }
  }

  @Override
  public boolean supportsPrincipalIndex() {
    return true;
  }

  @Override
  public List<String> findIdsByPrincipal(String principal) {
    Objects.requireNonNull(principal, "principal");
    long now = core.now();
    return run("findIdsByPrincipal", false, c -> {
      try (PreparedStatement st = c.prepareStatement(sql.byPrincipal)) {
        st.setString(1, principal);
        st.setLong(2, now);
        List<String> ids = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
        return ids;
      }
    });
  }

  /**
   * One {@code DELETE} by the principal column, so a rotation racing it (an update of the same
   * row) is deleted under whichever id it has.
   */
  @Override
  public int deleteByPrincipal(String principal) {
    Objects.requireNonNull(principal, "principal");
    long now = core.now();
    int deleted = core.timed("delete", () -> run("deleteByPrincipal", false, c -> {
      try (PreparedStatement st = c.prepareStatement(sql.deleteByPrincipal)) {
        st.setString(1, principal);
        st.setLong(2, now);
        return st.executeUpdate();
      }
    }));
    for (int i = 0; i < deleted; i++) {
      core.countDeleted();
    }
    return deleted;
  }

  @Override
  public OptionalLong activeSessions() {
    long now = core.now();
    return OptionalLong.of(run("activeSessions", false, c -> {
      try (PreparedStatement st = c.prepareStatement(sql.count)) {
        st.setLong(1, now);
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    }));
  }

  @Override
  public int removeExpired() {
    return cleanup.removeExpired();
  }

  @Override
  public void close() {
    cleanup.close();
  }

  private <T> T run(String operation, boolean transaction, SqlRunner.SqlWork<T> work) {
    return runner.run(operation, transaction, work);
  }

  private static void setPrincipal(PreparedStatement st, int index, String principal) throws SQLException {
    if (principal == null) {
      st.setNull(index, Types.VARCHAR);
    } else {
      st.setString(index, principal);
    }
  }

  /** SQLState class 23 (integrity constraint violation): a unique key is taken. */
  private static boolean isDuplicateKey(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith("23");
  }

  private static String newKey() {
    byte[] bytes = new byte[16];
    KEYS.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
