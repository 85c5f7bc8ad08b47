package io.scaleblocks.sharding.jdbc;

import io.scaleblocks.sharding.ReshardingPlan;
import io.scaleblocks.sharding.Shard;
import io.scaleblocks.sharding.ShardRouter;
import io.scaleblocks.sharding.ShardTopology;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The steps of one run of {@link JdbcShardMigrator}, over the state they share: the plan, the keys
 * copied so far and the counts for the report. {@link JdbcShardMigrator#migrate} puts the steps in
 * order. Keys are key column values, identified by the router key they map to
 * ({@link ShardTable#identity}). Used by one thread.
 */
final class Migration<K> {

  /** Thrown by a step that would not finish before the pause's deadline; nothing was done. */
  static final class PauseBudgetExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PauseBudgetExceeded(String message) {
      super(message, null, false, false);
    }
  }

  @FunctionalInterface
  private interface Step<T> {
    T run() throws SQLException;
  }

  private static final long NO_DEADLINE = Long.MAX_VALUE;

  private final ShardTable table;
  private final ShardRouter<K, DataSource> router;
  private final ReshardingPlan<DataSource> plan;
  private final Function<Object, K> keyFromColumn;
  /**
   * Every key copied to a new shard, or whose copy was being written when it failed: canonical
   * key to the key as the column holds it.
   */
  private final Map<Object, Object> copied = new LinkedHashMap<>();
  private long deadlineNanos = NO_DEADLINE;
  /** The attempt's deadline while writes are paused, else null. */
  private PauseDeadline guard;
  private final StepCost stepCost = new StepCost();
  private long reserveNanos;
  long rowsCopied;
  /** Rows found on a shard the old topology does not place their key on, and one such key. */
  long misplacedRows;
  String misplacedExample;
  long keysCaughtUp;
  long longestPauseNanos;
  int cutoverAttempts;
  boolean roundTripChecked;
  /** Routing hashes unpinned during the migration but kept pinned to their rows' shard. */
  final Map<Long, String> keptPins = new LinkedHashMap<>();

  Migration(ShardTable table, ShardRouter<K, DataSource> router, ReshardingPlan<DataSource> plan,
      Function<Object, K> keyFromColumn) {
    this.table = table;
    this.router = router;
    this.plan = plan;
    this.keyFromColumn = keyFromColumn;
  }

  /** The identity of key column value {@code keyValue}: the router key it maps to, canonical. */
  Object identity(Object keyValue) {
    return table.identity(keyValue);
  }

  long hashOf(Object keyValue) {
    return router.hashOf(keyFromColumn.apply(keyValue));
  }

  /** Whether the plan moves the key. */
  boolean moves(Object keyValue) {
    return plan.moves(hashOf(keyValue));
  }

  /** The old shards with rows whose key is NULL, with how many: no router key reaches them. */
  Map<String, Long> nullKeys() throws SQLException {
    Map<String, Long> found = new LinkedHashMap<>();
    for (Shard<DataSource> source : plan.before().shards()) {
      long n = table.nullKeys(resource(source.id()));
      if (n > 0) {
        found.put(source.id(), n);
      }
    }
    return found;
  }

  /** Copies every key whose owner changes from its old shard to its new one. */
  void copyAll() throws SQLException {
    for (Shard<DataSource> source : plan.before().shards()) {
      Object after = null;
      ShardTable.Page page;
      do {
        page = table.page(resource(source.id()), after);
        Map<String, List<ShardTable.KeyRows>> byTarget = new LinkedHashMap<>();
        for (ShardTable.KeyRows key : page.keys()) {
          long hash = hashOf(key.key());
          String to = plan.to(hash);
          // A row the old topology does not place here is no row of ours to move; that there
          // is one at all means the key column does not map to the router's keys.
          if (!plan.from(hash).equals(source.id())) {
            if (misplacedRows == 0) {
              misplacedExample = "key " + key.key() + " on " + source.id() + ", placed on " + plan.from(hash);
            }
            misplacedRows += key.rows().size();
          } else if (!to.equals(source.id())) {
            byTarget.computeIfAbsent(to, t -> new ArrayList<>()).add(key);
          }
          after = key.key();
        }
        for (Map.Entry<String, List<ShardTable.KeyRows>> target : byTarget.entrySet()) {
          // Recorded before the write: a commit whose answer is lost may still have landed, and
          // the rollback must delete its copies too.
          for (ShardTable.KeyRows key : target.getValue()) {
            copied.put(table.identity(key.key()), key.key());
          }
          table.replace(resource(target.getKey()), target.getValue());
          for (ShardTable.KeyRows key : target.getValue()) {
            rowsCopied += key.rows().size();
          }
        }
      } while (!page.last());
    }
  }

  /** The moving keys among {@code keys}, grouped by move. */
  private Map<ReshardingPlan.Move, List<Object>> moving(Collection<Object> keys) {
    Map<ReshardingPlan.Move, List<Object>> moves = new LinkedHashMap<>();
    for (Object key : keys) {
      plan.moveFor(hashOf(key)).ifPresent(m -> moves.computeIfAbsent(m, x -> new ArrayList<>()).add(key));
    }
    return moves;
  }

  /** Copies {@code keys} again from their old shard (deleting those that are gone). */
  void catchUp(Collection<Object> keys) throws SQLException {
    for (Map.Entry<ReshardingPlan.Move, List<Object>> move : moving(keys).entrySet()) {
      List<Object> group = move.getValue();
      Map<Object, List<Object[]>> rows = timed(group.size(), () -> table.read(resource(move.getKey().from()), group));
      List<ShardTable.KeyRows> copies = new ArrayList<>(group.size());
      for (Object key : group) {
        copies.add(new ShardTable.KeyRows(key, rows.getOrDefault(table.identity(key), List.of())));
      }
      for (Object key : group) {
        copied.put(table.identity(key), key);
      }
      timed(group.size(), () -> {
        table.replace(resource(move.getKey().to()), copies);
        return null;
      });
      keysCaughtUp += group.size();
    }
  }

  /** Compares the checksums of every moved key's rows with their copies; returns keys that differ. */
  Map<Object, Object> verifyAll() throws SQLException {
    Map<Object, Long> expected = new LinkedHashMap<>();
    Map<Object, Long> actual = new LinkedHashMap<>();
    Map<Object, Object> seen = new LinkedHashMap<>();
    for (Shard<DataSource> shard : plan.before().shards()) {
      scan(shard.id(), (hash, key) -> plan.from(hash).equals(shard.id()) && plan.moves(hash), expected, seen);
    }
    // Only the shards that receive keys hold copies; the others need no second scan.
    Set<String> targets = new LinkedHashSet<>();
    for (Object key : copied.values()) {
      targets.add(plan.to(hashOf(key)));
    }
    for (String target : targets) {
      scan(target, (hash, key) -> plan.to(hash).equals(target) && plan.moves(hash), actual, seen);
    }
    Map<Object, Object> mismatched = new LinkedHashMap<>();
    seen.forEach((canonical, key) -> {
      if (!Objects.equals(expected.get(canonical), actual.get(canonical))) {
        mismatched.put(canonical, key);
      }
    });
    return mismatched;
  }

  @FunctionalInterface
  private interface KeyFilter {
    boolean test(long hash, Object key);
  }

  private void scan(String shard, KeyFilter filter, Map<Object, Long> checksums, Map<Object, Object> seen)
      throws SQLException {
    Object after = null;
    ShardTable.Page page;
    do {
      page = table.page(resource(shard), after);
      for (ShardTable.KeyRows key : page.keys()) {
        if (filter.test(hashOf(key.key()), key.key())) {
          Object canonical = table.identity(key.key());
          checksums.put(canonical, RowChecksum.ofKey(key.rows()));
          seen.putIfAbsent(canonical, key.key());
        }
        after = key.key();
      }
    } while (!page.last());
  }

  /** Compares {@code keys}' rows on their old and new shards; returns the keys that differ. */
  Map<Object, Object> verify(Collection<Object> keys) throws SQLException {
    Map<Object, Object> mismatched = new LinkedHashMap<>();
    for (Map.Entry<ReshardingPlan.Move, List<Object>> move : moving(keys).entrySet()) {
      List<Object> group = move.getValue();
      Map<Object, List<Object[]>> sources = timed(group.size(), () -> table.read(resource(move.getKey().from()), group));
      Map<Object, List<Object[]>> copies = timed(group.size(), () -> table.read(resource(move.getKey().to()), group));
      for (Object key : group) {
        Object canonical = table.identity(key);
        if (RowChecksum.ofKey(sources.getOrDefault(canonical, List.of()))
            != RowChecksum.ofKey(copies.getOrDefault(canonical, List.of()))) {
          mismatched.put(canonical, key);
        }
      }
    }
    return mismatched;
  }

  /**
   * Switches the router to the plan's target, with the pins and resources changed since the
   * plan was made carried over ({@link ShardTopology#rebase}). A pin removed since the plan is
   * the exception when carrying it over would route its key to a shard the migration copied none
   * of its rows to (a key pinned where it lives does not move in the plan, and its new placement
   * may be elsewhere): such a key stays pinned to the shard that holds its rows, and is named in
   * {@link #keptPins}; the next migration, planned without the pin, moves it.
   *
   * @throws IllegalStateException if the shards or placement changed meanwhile
   */
  ShardTopology<DataSource> switchRouter() {
    return router.update(current -> {
      keptPins.clear();
      ShardTopology<DataSource> next = plan.after().rebase(plan.before(), current);
      for (Long hash : plan.before().pins().keySet()) {
        if (current.pins().containsKey(hash)) {
          continue;
        }
        String rows = plan.moves(hash) ? plan.to(hash) : plan.from(hash);
        if (!next.shardForHash(hash).id().equals(rows) && next.shard(rows).isPresent()) {
          next = next.withPin(hash, rows);
          keptPins.put(hash, rows);
        }
      }
      return next;
    });
  }

  /** The old rows of every copied key, once the router uses the new topology. */
  PendingCleanup oldRows() {
    Map<PendingCleanup.Leftover, List<Object>> left = new LinkedHashMap<>();
    for (Object key : copied.values()) {
      ReshardingPlan.Move move = plan.moveFor(hashOf(key)).orElseThrow();
      left.computeIfAbsent(new PendingCleanup.Leftover(move.from(), move.to()), x -> new ArrayList<>()).add(key);
      // A pin made during the migration may have kept the key on its old shard: then the copy
      // is the stale one.
      left.computeIfAbsent(new PendingCleanup.Leftover(move.to(), move.from()), x -> new ArrayList<>()).add(key);
    }
    return new PendingCleanup(left, resources(left));
  }

  /** The copies of every copied key, when the router keeps the old topology. */
  PendingCleanup copies() {
    Map<PendingCleanup.Leftover, List<Object>> left = new LinkedHashMap<>();
    for (Object key : copied.values()) {
      ReshardingPlan.Move move = plan.moveFor(hashOf(key)).orElseThrow();
      left.computeIfAbsent(new PendingCleanup.Leftover(move.to(), move.from()), x -> new ArrayList<>()).add(key);
    }
    return new PendingCleanup(left, resources(left));
  }

  private Map<String, DataSource> resources(Map<PendingCleanup.Leftover, List<Object>> left) {
    Map<String, DataSource> resources = new LinkedHashMap<>();
    left.keySet().forEach(where -> resources.computeIfAbsent(where.shard(), this::resource));
    return resources;
  }

  ShardRouter.WritePause pauseWrites(Duration timeout) {
    return router.pauseWrites(timeout);
  }

  /**
   * Holds every following key read or write to {@code deadline} (a {@link System#nanoTime}),
   * keeping {@code reserve} nanoseconds for what follows them.
   */
  void deadline(long nanoTime, long reserve, PauseDeadline attempt) {
    this.deadlineNanos = nanoTime;
    this.reserveNanos = reserve;
    this.guard = attempt;
  }

  void noDeadline() {
    this.deadlineNanos = NO_DEADLINE;
    this.guard = null;
  }

  /**
   * Runs a read or write of {@code keys} keys, unless its estimated time would end it past the
   * deadline: then nothing is done and {@link PauseBudgetExceeded} says so.
   */
  private <T> T timed(int keys, Step<T> step) throws SQLException {
    long start = System.nanoTime();
    if (guard != null && guard.expired()) {
      throw new PauseBudgetExceeded("the pause's deadline passed during the previous step: writes were released");
    }
    if (deadlineNanos != NO_DEADLINE) {
      // Half again the estimate, plus a reserve for the switch and the un-pause.
      long needed = stepCost.estimate(keys) * 3 / 2 + reserveNanos;
      if (deadlineNanos - start < needed) {
        throw new PauseBudgetExceeded("the next step (" + keys + " keys, up to " + needed / 1_000
            + " us) would end past the pause's deadline (" + Math.max(0, (deadlineNanos - start) / 1_000)
            + " us left)");
      }
    }
    try {
      return step.run();
    } catch (SQLException e) {
      if (guard != null && guard.expired()) {
        // Cancelled (or timed out) at the deadline: the attempt gives up, the migration goes on.
        throw new PauseBudgetExceeded("a statement still ran at the pause's deadline and was cancelled: " + e);
      }
      throw e;
    } finally {
      stepCost.record(keys, System.nanoTime() - start);
    }
  }

  /**
   * The shard's resource in the router's current topology (a failover made during the migration
   * is followed), else in the plan.
   */
  private DataSource resource(String id) {
    Optional<Shard<DataSource>> shard = router.topology().shard(id);
    DataSource resource = shard.or(() -> plan.after().shard(id)).or(() -> plan.before().shard(id)).orElseThrow().resource();
    return guard == null ? resource : guard.guard(resource);
  }

  /**
   * The slowest step seen per size class (keys rounded up to a power of two): a step of n keys is
   * estimated by the slowest step of the nearest class at or above its own that has one (a larger
   * step takes longer), or, when only smaller steps were seen, by the slowest of those scaled up by
   * the size ratio.
   */
  static final class StepCost {
    private final long[] slowest = new long[32];

    private static int sizeClass(int keys) {
      return 32 - Integer.numberOfLeadingZeros(Math.max(1, keys) - 1);
    }

    void record(int keys, long nanos) {
      int c = sizeClass(keys);
      slowest[c] = Math.max(slowest[c], nanos);
    }

    long estimate(int keys) {
      int c = sizeClass(keys);
      for (int i = c; i < slowest.length; i++) {
        if (slowest[i] > 0) {
          return slowest[i];
        }
      }
      long estimate = 0;
      for (int i = 0; i < c; i++) {
        estimate = Math.max(estimate, slowest[i] << (c - i));
      }
      return estimate;
    }
  }
}
