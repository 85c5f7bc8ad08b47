package io.scaleblocks.replication;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Read-your-writes: a read given a token goes to a replica only once that replica has replayed
 * the log up to the token. The replica is checked on the very connection the read will use
 * (one query, skipped when the monitor already saw it past the token), so a read it serves
 * cannot be stale. Until {@code causalWait} has passed, the check is repeated every
 * {@code causalPoll}; then the read goes to the primary, which has every commit.
 */
final class CausalReads {

  private final RoutingDataSource router;
  private final long waitNanos;
  private final long pollMillis;

  CausalReads(RoutingDataSource router, java.time.Duration wait, java.time.Duration poll) {
    this.router = router;
    this.waitNanos = wait.toNanos();
    this.pollMillis = Math.max(1, poll.toMillis());
  }

  RoutingDataSource.Bound acquire(CausalToken token) throws SQLException {
    long start = System.nanoTime();
    while (true) {
      Topology current = router.topology();
      Node replica = router.pick(current);
      if (replica == null) {
        break;
      }
      Connection c = router.tryReplica(replica);
      if (c != null) {
        boolean caughtUp;
        try {
          caughtUp = token.reachedBy(current.positions.get(replica))
              || token.reachedBy(replica.dialect.replayPosition(c));
        } catch (SQLException | RuntimeException e) {
          router.release(replica, true, c);
          throw e;
        }
        if (caughtUp) {
          router.causalOutcome(true, System.nanoTime() - start);
          return new RoutingDataSource.Bound(c, replica, true, null);
        }
        router.release(replica, true, c);
      }
      if (System.nanoTime() - start >= waitNanos || !pause()) {
        break;
      }
    }
    RoutingDataSource.Bound bound = router.primaryForRead();
    router.causalOutcome(false, System.nanoTime() - start);
    return bound;
  }

  private boolean pause() {
    try {
      Thread.sleep(pollMillis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
