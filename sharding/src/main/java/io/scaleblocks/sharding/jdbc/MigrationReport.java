package io.scaleblocks.sharding.jdbc;

import java.time.Duration;
import java.util.List;

/**
 * What a migration did.
 *
 * @param outcome whether the router now uses the new topology
 * @param rowsCopied rows copied by the bulk pass
 * @param rowsCaughtUp rows re-copied (or deleted on the target) because they were written during
 *     the migration
 * @param rowsDeleted rows deleted from their old shard after the cutover, or from the new shard
 *     by a rollback
 * @param writePause how long writes were held at the cutover
 * @param elapsed the whole migration
 * @param mismatches keys whose copy did not verify (empty unless rolled back), at most 100
 */
public record MigrationReport(Outcome outcome, long rowsCopied, long rowsCaughtUp, long rowsDeleted,
    Duration writePause, Duration elapsed, List<String> mismatches) {

  /** How a migration ended. */
  public enum Outcome {
    /** Rows moved, verified, router swapped, old copies deleted. */
    COMPLETED,
    /** Verification failed: copies deleted from the new shards, router unchanged. */
    ROLLED_BACK
  }

  public MigrationReport {
    mismatches = List.copyOf(mismatches);
  }
}
