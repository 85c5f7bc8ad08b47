package io.scaleblocks.session.jdbc;

import io.scaleblocks.session.internal.StoreCore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the rows of expired sessions in batches, on demand and every interval on a daemon
 * thread of its own; each batch is one transaction, and the attributes go by the foreign key's
 * cascade. On PostgreSQL and H2 a batch locks expired rows {@code FOR UPDATE SKIP LOCKED} and
 * deletes them, so it never waits for a request. On MySQL it reads expired ids without locks and
 * deletes them by id, in id order: InnoDB then locks the id index entry, the row and the
 * attribute rows in the order every request and every other cleanup locks them, so a cleanup may
 * wait for a request on that session, but never in a cycle. A run that fails is logged and tried
 * again at the next interval. Thread-safe.
 */
final class ExpiredSessionCleanup implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ExpiredSessionCleanup.class);

  private final SqlRunner runner;
  private final SessionSql sql;
  private final StoreCore core;
  private final int batch;
  private final boolean byId;
  private final ScheduledExecutorService scheduler;

  /** {@code interval} zero: on demand only. */
  ExpiredSessionCleanup(SqlRunner runner, SessionSql sql, Dialect dialect, StoreCore core, int batch,
      Duration interval) {
    this.runner = runner;
    this.sql = sql;
    this.core = core;
    this.batch = batch;
    this.byId = dialect == Dialect.MYSQL;
    if (interval.isZero()) {
      this.scheduler = null;
    } else {
      this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, core.name() + "-session-cleanup");
        t.setDaemon(true);
        return t;
      });
      long millis = interval.toMillis();
      scheduler.scheduleWithFixedDelay(this::scheduled, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  /** Removes every session expired by now, batch by batch; returns how many. */
  int removeExpired() {
    int total = 0;
    while (true) {
      long now = core.now();
      int removed = runner.runOnce("removeExpired", true, c -> removeBatch(c, now));
      core.countExpired(removed);
      total += removed;
      if (removed < batch) {
        return total;
      }
    }
  }

  private int removeBatch(Connection c, long now) throws SQLException {
    List<String> keys = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement(sql.expiredBatch)) {
      st.setLong(1, now);
      st.setInt(2, batch);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
    }
    if (keys.isEmpty()) {
      return 0;
    }
    if (byId) {
      Collections.sort(keys);
    }
    int removed = 0;
    try (PreparedStatement st = c.prepareStatement(sql.deleteExpired)) {
      for (String key : keys) {
        st.setString(1, key);
        st.setLong(2, now);
        st.addBatch();
      }
      for (int count : st.executeBatch()) {
        removed += count == Statement.SUCCESS_NO_INFO ? 1 : Math.max(0, count);
      }
    }
    return removed;
  }

  private void scheduled() {
    try {
      int removed = removeExpired();
      if (removed > 0) {
        LOG.debug("{} - cleanup removed {} expired sessions", core.name(), removed);
      }
    } catch (RuntimeException e) {
      LOG.warn("{} - cleanup failed; it runs again at the next interval", core.name(), e);
    }
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
