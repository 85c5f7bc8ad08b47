package io.scaleblocks.replication;

import java.time.Duration;
import java.time.Instant;

/**
 * Recent (time, position) samples of the primary's log, to turn a replica's replay position
 * into a lag in time: the replica has every write the primary had at the latest sample whose
 * position it has replayed, so its lag is the time since that sample. An idle primary keeps
 * its position, so a replica that replayed it has no lag however old the last write is — unlike
 * {@code now() - pg_last_xact_replay_timestamp()}. Not thread-safe: used under the router's lock.
 */
final class PositionHistory {

  private static final int CAPACITY = 256;

  private final long[] positions = new long[CAPACITY];
  private final Instant[] times = new Instant[CAPACITY];
  private int size;
  private int next;

  void record(Instant time, long position) {
    positions[next] = position;
    times[next] = time;
    next = (next + 1) % CAPACITY;
    size = Math.min(size + 1, CAPACITY);
  }

  void clear() {
    size = 0;
    next = 0;
  }

  /** How far behind a replica that replayed up to {@code replayed} is at {@code now}. */
  Duration lagOf(long replayed, Instant now) {
    if (size == 0) {
      return Duration.ZERO;
    }
    Instant oldest = null;
    for (int i = 1; i <= size; i++) {
      int index = Math.floorMod(next - i, CAPACITY);
      oldest = times[index];
      if (Long.compareUnsigned(positions[index], replayed) <= 0) {
        return nonNegative(Duration.between(times[index], now));
      }
    }
    return nonNegative(Duration.between(oldest, now));
  }

  private static Duration nonNegative(Duration duration) {
    return duration.isNegative() ? Duration.ZERO : duration;
  }
}
