package io.scaleblocks.replication;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Read-your-writes: a read given a token goes to a replica only once that replica has replayed
 * the log up to the token. The replica is checked on the very connection the read will use
 * (one query, skipped when the monitor already saw it past the token), so a read it serves
 * cannot be stale. Until {@code causalWait} has passed, the check is repeated every
 * {@code causalPoll}; then the read goes to the primary, which has every commit. Both run on the
 * router's {@link Scheduler}: the last pause is cut to what is left of the wait.
 */
final class CausalReads {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CausalReads.class);

  private final RoutingDataSource router;
  private final long waitNanos;
  private final long pollNanos;
  private final Scheduler scheduler;

  CausalReads(RoutingDataSource router, java.time.Duration wait, java.time.Duration poll, Scheduler scheduler) {
    this.router = router;
    this.waitNanos = wait.toNanos();
    this.pollNanos = poll.toNanos();
    this.scheduler = scheduler;
  }

  RoutingDataSource.Bound acquire(CausalToken token) throws SQLException {
    long start = scheduler.nanoTime();
    boolean primaryChecked = false;
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
          router.causalOutcome(true, scheduler.nanoTime() - start);
          return new RoutingDataSource.Bound(c, replica, true, null);
        }
        router.release(replica, true, c);
      }
      if (!primaryChecked) {
        primaryChecked = true;
        if (aheadOfPrimary(token, current)) {
          return router.replicaOrFallback();
        }
      }
      long left = waitNanos - (scheduler.nanoTime() - start);
      if (left <= 0 || !pause(Math.min(pollNanos, left))) {
        break;
      }
    }
    RoutingDataSource.Bound bound = router.primaryForRead();
    router.causalOutcome(false, scheduler.nanoTime() - start);
    return bound;
  }

  /**
   * Whether {@code token} is past the primary's current position (asked once, when a replica
   * has not reached it yet): a token from elsewhere that no replica will ever reach. It is
   * ignored, with a warning, rather than waited for.
   */
  private boolean aheadOfPrimary(CausalToken token, Topology current) throws SQLException {
    Node primary = current.primary;
    if (primary == null || !primary.dialect.inspectsReplication()) {
      return false;
    }
    CausalToken now = router.currentToken();
    if (token.compareTo(now) <= 0) {
      return false;
    }
    log.warn("{} - causal token {} is ahead of the primary's position {}: ignored",
        router.name(), token, now);
    return true;
  }

  private boolean pause(long nanos) {
    try {
      scheduler.sleep(nanos);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
