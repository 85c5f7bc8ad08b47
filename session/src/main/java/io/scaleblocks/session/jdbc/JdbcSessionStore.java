package io.scaleblocks.session.jdbc;

import io.scaleblocks.session.SessionStore;

/** A {@link SessionStore} on SQL tables, with its expired-row cleanup. */
public interface JdbcSessionStore extends SessionStore {

  /**
   * Deletes expired sessions (and, by cascade, their attributes) in batches, each its own short
   * transaction that never deadlocks with a request or another cleanup: on PostgreSQL and H2 it
   * locks only rows no other transaction holds ({@code FOR UPDATE SKIP LOCKED}), so it never
   * waits; on MySQL it deletes by id, in id order, taking InnoDB's locks in the order requests
   * take them, so it may wait for a request on the same session. The scheduled cleanup calls this
   * every {@link JdbcSessionStores.Builder#cleanupInterval}.
   *
   * @return the number of sessions removed
   */
  int removeExpired();
}
