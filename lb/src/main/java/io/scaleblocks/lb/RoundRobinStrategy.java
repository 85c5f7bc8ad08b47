package io.scaleblocks.lb;

/**
 * Round robin and smooth weighted round robin: a striped cursor walking either the identity or a
 * {@link PfairSchedule}. O(1) per pick, no allocation, no shared write between threads on
 * different stripes (see {@link StripedCursor} for the per-thread trade-off). The cursor is
 * carried over from the previous selector, so membership changes never send the walk back to the
 * first endpoint.
 */
final class RoundRobinStrategy implements Strategy {

  private final boolean weighted;
  private final long seed;

  RoundRobinStrategy(boolean weighted, long seed) {
    this.weighted = weighted;
    this.seed = seed;
  }

  @Override
  public Selector selector(Candidates candidates, Selector previous) {
    StripedCursor cursor = previous instanceof Walk walk ? walk.cursor : newCursor();
    int n = candidates.size();
    int[] schedule = null;
    if (weighted) {
      int[] weights = new int[n];
      for (int i = 0; i < n; i++) {
        weights[i] = candidates.weight(i);
      }
      schedule = PfairSchedule.build(weights);
    }
    return schedule == null ? new Walk(cursor, n) : new ScheduledWalk(cursor, schedule);
  }

  private StripedCursor newCursor() {
    return new StripedCursor(seed == 0 ? 0 : seed ^ System.nanoTime());
  }

  @Override
  public String toString() {
    return weighted ? "smoothWeightedRoundRobin" : "roundRobin";
  }

  private static class Walk implements Selector {
    final StripedCursor cursor;
    private final int size;

    Walk(StripedCursor cursor, int size) {
      this.cursor = cursor;
      this.size = size;
    }

    @Override
    public int select(CharSequence key) {
      return cursor.next(size);
    }
  }

  private static final class ScheduledWalk extends Walk {
    private final int[] schedule;

    ScheduledWalk(StripedCursor cursor, int[] schedule) {
      super(cursor, schedule.length);
      this.schedule = schedule;
    }

    @Override
    public int select(CharSequence key) {
      return schedule[cursor.next(schedule.length)];
    }
  }
}
