package io.scaleblocks.sharding.jdbc;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a migration did, and what is left to do.
 *
 * @param outcome whether the router now uses the new topology, and whether stale rows are left
 * @param reason why a migration rolled back or left rows behind; empty when it completed
 * @param rowsCopied rows copied by the bulk pass
 * @param rowsCaughtUp keys re-copied (or deleted on the target) because they were written during
 *     the migration
 * @param rowsDeleted rows deleted from their old shard after the cutover, or from the new shard
 *     by a rollback
 * @param writePause the longest time writes were held at a cutover attempt, measured from the
 *     moment the pause began to hold new writes until it released them
 * @param cutoverAttempts how many times writes were paused (an attempt whose work would not fit in
 *     {@code maxPause} gives up and un-pauses)
 * @param elapsed the whole migration
 * @param mismatches keys whose copy did not verify (empty unless rolled back for it), at most 100
 * @param pendingCleanup the stale rows left, for {@link JdbcShardMigrator#cleanup}; empty unless
 *     the outcome says cleanup is pending
 */
public record MigrationReport(Outcome outcome, String reason, long rowsCopied, long rowsCaughtUp,
    long rowsDeleted, Duration writePause, int cutoverAttempts, Duration elapsed,
    List<String> mismatches, PendingCleanup pendingCleanup) {

  /** How a migration ended. */
  public enum Outcome {
    /** Rows moved and verified, router switched, old copies deleted. */
    COMPLETED,
    /**
     * Router switched to the new topology, but deleting the old copies failed:
     * {@link MigrationReport#pendingCleanup()} names them. Reads through the router are right; a
     * scatter-gather over the shards may count them until {@link JdbcShardMigrator#cleanup} runs.
     */
    CUT_OVER_CLEANUP_PENDING,
    /** Not switched (see the reason): the copies were deleted from the new shards. */
    ROLLED_BACK,
    /**
     * Not switched, and deleting some copies from the new shards failed:
     * {@link MigrationReport#pendingCleanup()} names them.
     */
    ROLLED_BACK_CLEANUP_PENDING;

    /** Whether the router uses the new topology. */
    public boolean cutOver() {
      return this == COMPLETED || this == CUT_OVER_CLEANUP_PENDING;
    }
  }

  public MigrationReport {
    Objects.requireNonNull(outcome, "outcome must not be null");
    Objects.requireNonNull(reason, "reason must not be null");
    mismatches = List.copyOf(mismatches);
    Objects.requireNonNull(pendingCleanup, "pendingCleanup must not be null");
  }
}
