package io.scaleblocks.session.jdbc;

import io.scaleblocks.session.SessionStore;

/** A {@link SessionStore} on SQL tables, with its expired-row cleanup. */
public interface JdbcSessionStore extends SessionStore {

  /**
   * Deletes expired sessions (and, by cascade, their attributes) in batches, each its own short
   * transaction that locks only rows no other transaction holds ({@code FOR UPDATE SKIP
   * LOCKED}), so it never waits for, or deadlocks with, a request or another cleanup. The
   * scheduled cleanup calls this every {@link JdbcSessionStores.Builder#cleanupInterval}.
   *
   * @return the number of sessions removed
   */
  int removeExpired();
}
