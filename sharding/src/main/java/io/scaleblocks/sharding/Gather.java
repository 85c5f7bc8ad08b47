package io.scaleblocks.sharding;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * How the per-shard results of a scatter-gather combine into one answer.
 *
 * @param <T> what each shard returns
 * @param <A> the combined answer
 */
@FunctionalInterface
public interface Gather<T, A> {

  /** Combines the results of the shards that answered, in shard order. */
  A combine(List<List<T>> perShard);

  /** Every row of every shard, shard after shard. */
  static <T> Gather<T, List<T>> concat() {
    return perShard -> {
      List<T> all = new ArrayList<>();
      perShard.forEach(all::addAll);
      return all;
    };
  }

  /**
   * A k-way merge of per-shard lists that are each sorted by {@code order}, keeping the first
   * {@code limit}: the global top-k when each shard ran {@code ORDER BY ... LIMIT k}. Costs
   * {@code O(limit * log shards)}.
   */
  static <T> Gather<T, List<T>> mergeSorted(Comparator<? super T> order, int limit) {
    Objects.requireNonNull(order, "order must not be null");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be > 0 but was " + limit);
    }
    return perShard -> {
      record Head<T>(T row, int shard, int index) {}
      PriorityQueue<Head<T>> heads = new PriorityQueue<>(Math.max(1, perShard.size()),
          (a, b) -> order.compare(a.row(), b.row()));
      for (int s = 0; s < perShard.size(); s++) {
        if (!perShard.get(s).isEmpty()) {
          heads.add(new Head<>(perShard.get(s).get(0), s, 0));
        }
      }
      List<T> merged = new ArrayList<>(limit);
      while (merged.size() < limit && !heads.isEmpty()) {
        Head<T> head = heads.poll();
        merged.add(head.row());
        List<T> rows = perShard.get(head.shard());
        int next = head.index() + 1;
        if (next < rows.size()) {
          heads.add(new Head<>(rows.get(next), head.shard(), next));
        }
      }
      return merged;
    };
  }

  /**
   * Count, sum, min and max combined from per-shard {@link Aggregate}s (each shard answers
   * {@code SELECT count(x), sum(x), min(x), max(x)}); the average is {@code sum / count}, never an
   * average of averages.
   */
  static Gather<Aggregate, Aggregate> aggregate() {
    return perShard -> {
      Aggregate total = Aggregate.EMPTY;
      for (List<Aggregate> rows : perShard) {
        for (Aggregate row : rows) {
          total = total.plus(row);
        }
      }
      return total;
    };
  }

  /**
   * Count, sum, min and max of a column over some rows.
   *
   * @param count rows counted
   * @param sum their sum
   * @param min their minimum, {@code Long.MAX_VALUE} when there are none
   * @param max their maximum, {@code Long.MIN_VALUE} when there are none
   */
  record Aggregate(long count, long sum, long min, long max) {
    public static final Aggregate EMPTY = new Aggregate(0, 0, Long.MAX_VALUE, Long.MIN_VALUE);

    public Aggregate plus(Aggregate other) {
      if (other.count == 0) {
        return this;
      }
      return new Aggregate(count + other.count, Math.addExact(sum, other.sum),
          Math.min(min, other.min), Math.max(max, other.max));
    }

    /** The mean, NaN when there are no rows. */
    public double average() {
      return count == 0 ? Double.NaN : (double) sum / count;
    }
  }
}
