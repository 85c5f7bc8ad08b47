package io.scaleblocks.session.jdbc;

import io.scaleblocks.session.SessionStoreException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the JDBC store's work on a connection borrowed for that work alone, in one transaction
 * when asked (committed when the work returns, rolled back when it throws), and turns every
 * {@link SQLException} into a {@link SessionStoreException} that names the store, the operation
 * and the SQLState. Work that the database rolled back whole as a deadlock victim (SQLState
 * {@code 40001}; InnoDB's gap locks can make a find and a rotation of one session wait for each
 * other) runs again, up to {@value #ATTEMPTS} times in all: nothing of it was applied. Thread-safe.
 */
final class SqlRunner {

  private static final Logger LOG = LoggerFactory.getLogger(SqlRunner.class);

  static final int ATTEMPTS = 3;

  private final DataSource dataSource;
  private final String name;

  SqlRunner(DataSource dataSource, String name) {
    this.dataSource = dataSource;
    this.name = name;
  }

  /** Work on one connection. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  <T> T run(String operation, boolean transaction, SqlWork<T> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return runOnce(operation, transaction, work);
      } catch (SessionStoreException e) {
        if (attempt >= ATTEMPTS || !(e.getCause() instanceof SQLException sql) || !isDeadlockVictim(sql)) {
          throw e;
        }
        LOG.debug("{} - {} was a deadlock victim; running it again", name, operation);
      }
    }
  }

  /** {@link #run} without running a deadlock victim again (the cleanup, whose test shows it never is one). */
  <T> T runOnce(String operation, boolean transaction, SqlWork<T> work) {
    try (Connection c = dataSource.getConnection()) {
      if (!transaction) {
        return work.run(c);
      }
      c.setAutoCommit(false);
      T result;
      try {
        result = work.run(c);
        if (!c.isClosed() && !c.getAutoCommit()) {
          c.commit();
        }
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        try {
          c.setAutoCommit(true);
        } catch (SQLException again) {
          // a connection the server ended fails here too: the first failure says why
          e.addSuppressed(again);
        }
        throw e;
      }
      c.setAutoCommit(true);
      return result;
    } catch (SQLException e) {
      throw new SessionStoreException(name + " - " + operation + " failed: " + e.getMessage()
          + " (SQLState " + e.getSQLState() + ")", e);
    }
  }

  private static boolean isDeadlockVictim(SQLException e) {
    return "40001".equals(e.getSQLState());
  }

  private void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      LOG.debug("{} - rollback failed", name, e);
    }
  }
}
