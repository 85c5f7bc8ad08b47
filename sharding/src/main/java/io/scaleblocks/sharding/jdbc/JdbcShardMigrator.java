package io.scaleblocks.sharding.jdbc;

import io.scaleblocks.sharding.HashFunction;
import io.scaleblocks.sharding.Hashing;
import io.scaleblocks.sharding.ReshardingPlan;
import io.scaleblocks.sharding.Shard;
import io.scaleblocks.sharding.ShardRouter;
import io.scaleblocks.sharding.ShardTopology;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the rows of one table, keyed by its sharding column, from the shards a router uses now to
 * the shards of a new topology, while the application keeps writing through
 * {@link ShardRouter#write}.
 *
 * <ol>
 *   <li><b>Copy</b>: every source shard is scanned in key order, {@code batchSize} rows at a time;
 *       rows whose key the new topology places elsewhere are copied there (delete + insert in one
 *       transaction per batch, so a re-run is idempotent).
 *   <li><b>Catch-up</b>: keys written during the copy (the router records them) are copied again
 *       from their old shard, or deleted on the new one if they were deleted, in rounds until a
 *       round has at most {@code catchUpThreshold} keys.
 *   <li><b>Verify</b>: a checksum (murmur3 over every column) of each moved row on its old shard
 *       is compared with its copy. More than {@code catchUpThreshold} differences that no write
 *       explains fail the migration at once; the rest, and keys written meanwhile, are left to
 *       the cutover.
 *   <li><b>Cutover</b>: writes are paused, the keys written since (and those the verification
 *       left) are copied and verified one by one, the router is swapped to the new topology,
 *       writes resume. The pause is measured.
 *   <li><b>Cleanup</b>: the moved rows are deleted from their old shards.
 * </ol>
 *
 * <p>If verification fails, the copies are deleted from the new shards, the router keeps the old
 * topology and the report says {@link MigrationReport.Outcome#ROLLED_BACK}. Writes that bypass
 * {@link ShardRouter#write} during a migration are not seen and may be lost; reads may keep using
 * {@link ShardRouter#shardFor}. Memory is {@code O(moved rows)} (keys and checksums). SQL goes
 * through prepared statements; table and column names must be plain identifiers. One migration
 * at a time per router; an instance is immutable and thread-safe.
 *
 * @param <K> the router's key type, read from and written to the key column
 */
public final class JdbcShardMigrator<K> {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcShardMigrator.class);
  private static final int MAX_REPORTED_MISMATCHES = 100;

  public static final int DEFAULT_BATCH_SIZE = 1_000;
  public static final int DEFAULT_CATCH_UP_THRESHOLD = 200;
  public static final int DEFAULT_MAX_CATCH_UP_ROUNDS = 20;
  public static final Duration DEFAULT_MAX_PAUSE = Duration.ofSeconds(1);

  private final String name;
  private final String table;
  private final String keyColumn;
  private final List<String> columns;
  private final int batchSize;
  private final int catchUpThreshold;
  private final int maxCatchUpRounds;
  private final Duration maxPause;
  private final Function<Object, K> keyFromColumn;
  private final Function<K, Object> keyToColumn;
  private final HashFunction checksum = Hashing.murmur3(0x6d6967L);

  private JdbcShardMigrator(Builder<K> b) {
    this.name = b.name;
    this.table = b.table;
    this.keyColumn = b.keyColumn;
    this.columns = List.copyOf(b.columns);
    this.batchSize = b.batchSize;
    this.catchUpThreshold = b.catchUpThreshold;
    this.maxCatchUpRounds = b.maxCatchUpRounds;
    this.maxPause = b.maxPause;
    this.keyFromColumn = b.keyFromColumn;
    this.keyToColumn = b.keyToColumn;
  }

  public static <K> Builder<K> builder() {
    return new Builder<>();
  }

  /**
   * Migrates the table from {@code router}'s current topology to {@code target}.
   *
   * @throws IllegalArgumentException if the plan is empty (nothing would move)
   * @throws SQLException if a shard fails; the router then still uses the old topology, and rows
   *     already copied to new shards are left for a re-run (copies are idempotent)
   */
  public MigrationReport migrate(ShardRouter<K, DataSource> router, ShardTopology<DataSource> target)
      throws SQLException {
    Objects.requireNonNull(router, "router must not be null");
    long start = System.nanoTime();
    ReshardingPlan<DataSource> plan = ReshardingPlan.plan(router.topology(), target);
    LOG.info("{} - migrating {} from {} to {}", name, table, plan.before().shards(), target.shards());
    Migration migration = new Migration(router, plan);
    try (ShardRouter.WriteTracker<K> tracker = router.trackWrites()) {
      long copied = migration.copyAll();
      Set<K> pending = new HashSet<>();
      for (int round = 0; round < maxCatchUpRounds; round++) {
        Set<K> dirty = tracker.drain();
        migration.catchUp(dirty);
        if (dirty.size() <= catchUpThreshold) {
          break;
        }
      }
      List<K> mismatched = migration.verifyAll();
      pending.addAll(tracker.drain());
      mismatched.removeIf(pending::contains);
      if (mismatched.size() > catchUpThreshold) {
        return migration.rollBack(mismatched, copied, start, Duration.ZERO);
      }
      // A write still in flight during the scan may explain a few differences: the cutover
      // copies and verifies those keys again with writes held.
      pending.addAll(mismatched);
      Duration pause;
      try (ShardRouter.WritePause held = router.pauseWrites(maxPause)) {
        pending.addAll(tracker.drain());
        migration.catchUp(pending);
        mismatched = migration.verify(pending);
        if (mismatched.isEmpty()) {
          router.swap(target);
        }
        pause = Duration.ofNanos(held.heldNanos());
      }
      if (!mismatched.isEmpty()) {
        return migration.rollBack(mismatched, copied, start, pause);
      }
      long deleted = migration.deleteMovedFromSources();
      MigrationReport report = new MigrationReport(MigrationReport.Outcome.COMPLETED, copied,
          migration.caughtUp, deleted, pause, Duration.ofNanos(System.nanoTime() - start), List.of());
      LOG.info("{} - migrated {}: {}", name, table, report);
      return report;
    }
  }

  /** The state of one run. */
  private final class Migration {
    final ShardRouter<K, DataSource> router;
    final ReshardingPlan<DataSource> plan;
    /** Every key copied to a new shard, with that shard. */
    final Map<K, String> copiedTo = new HashMap<>();
    long caughtUp;

    Migration(ShardRouter<K, DataSource> router, ReshardingPlan<DataSource> plan) {
      this.router = router;
      this.plan = plan;
    }

    long copyAll() throws SQLException {
      long copied = 0;
      for (Shard<DataSource> source : plan.before().shards()) {
        Object after = null;
        while (true) {
          List<Object[]> batch = scan(source.resource(), after);
          if (batch.isEmpty()) {
            break;
          }
          after = batch.get(batch.size() - 1)[0];
          Map<String, List<Object[]>> byTarget = new LinkedHashMap<>();
          for (Object[] row : batch) {
            K key = keyFromColumn.apply(row[0]);
            long hash = router.hashOf(key);
            if (!plan.from(hash).equals(source.id())) {
              continue;
            }
            String to = plan.to(hash);
            if (!to.equals(source.id())) {
              byTarget.computeIfAbsent(to, t -> new ArrayList<>()).add(row);
              copiedTo.put(key, to);
            }
          }
          for (Map.Entry<String, List<Object[]>> entry : byTarget.entrySet()) {
            upsert(shard(entry.getKey()), entry.getValue());
            copied += entry.getValue().size();
          }
        }
      }
      return copied;
    }

    /** The keys that move, grouped by move. */
    Map<ReshardingPlan.Move, List<K>> moving(Set<K> keys) {
      return plan.movesOf(keys, router::hashOf);
    }

    void catchUp(Set<K> keys) throws SQLException {
      for (Map.Entry<ReshardingPlan.Move, List<K>> group : moving(keys).entrySet()) {
        String to = group.getKey().to();
        Map<K, Object[]> rows = readAll(shard(group.getKey().from()), group.getValue());
        List<Object[]> present = new ArrayList<>();
        List<Object> absent = new ArrayList<>();
        for (K key : group.getValue()) {
          Object[] row = rows.get(key);
          if (row == null) {
            absent.add(keyToColumn.apply(key));
          } else {
            present.add(row);
          }
          copiedTo.put(key, to);
        }
        if (!absent.isEmpty()) {
          delete(shard(to), absent);
        }
        if (!present.isEmpty()) {
          upsert(shard(to), present);
        }
        caughtUp += group.getValue().size();
      }
    }

    /** Compares the checksums of every moved row with its copy; returns the keys that differ. */
    List<K> verifyAll() throws SQLException {
      Map<K, Long> expected = new HashMap<>();
      Map<K, Long> actual = new HashMap<>();
      for (Shard<DataSource> shard : plan.before().shards()) {
        forEachRow(shard.resource(), row -> {
          K key = keyFromColumn.apply(row[0]);
          long hash = router.hashOf(key);
          if (plan.from(hash).equals(shard.id()) && !plan.to(hash).equals(shard.id())) {
            expected.put(key, rowChecksum(row));
          }
        });
      }
      for (Shard<DataSource> shard : plan.after().shards()) {
        forEachRow(shard.resource(), row -> {
          K key = keyFromColumn.apply(row[0]);
          long hash = router.hashOf(key);
          if (plan.to(hash).equals(shard.id()) && !plan.from(hash).equals(shard.id())) {
            actual.put(key, rowChecksum(row));
          }
        });
      }
      List<K> mismatched = new ArrayList<>();
      Set<K> all = new HashSet<>(expected.keySet());
      all.addAll(actual.keySet());
      for (K key : all) {
        if (!Objects.equals(expected.get(key), actual.get(key))) {
          mismatched.add(key);
        }
      }
      return mismatched;
    }

    List<K> verify(Set<K> keys) throws SQLException {
      List<K> mismatched = new ArrayList<>();
      for (Map.Entry<ReshardingPlan.Move, List<K>> group : moving(keys).entrySet()) {
        Map<K, Object[]> sources = readAll(shard(group.getKey().from()), group.getValue());
        Map<K, Object[]> copies = readAll(shard(group.getKey().to()), group.getValue());
        for (K key : group.getValue()) {
          Object[] source = sources.get(key);
          Object[] copy = copies.get(key);
          Long expected = source == null ? null : rowChecksum(source);
          Long actual = copy == null ? null : rowChecksum(copy);
          if (!Objects.equals(expected, actual)) {
            mismatched.add(key);
          }
        }
      }
      return mismatched;
    }

    MigrationReport rollBack(List<K> mismatched, long copied, long start, Duration pause)
        throws SQLException {
      LOG.warn("{} - verification of {} failed for {} keys (first: {}); rolling back", name, table,
          mismatched.size(), mismatched.get(0));
      Map<String, List<Object>> byTarget = new LinkedHashMap<>();
      copiedTo.forEach((key, to) -> byTarget.computeIfAbsent(to, t -> new ArrayList<>()).add(keyToColumn.apply(key)));
      long deleted = 0;
      for (Map.Entry<String, List<Object>> entry : byTarget.entrySet()) {
        deleted += delete(shard(entry.getKey()), entry.getValue());
      }
      return new MigrationReport(MigrationReport.Outcome.ROLLED_BACK, copied, caughtUp, deleted, pause,
          Duration.ofNanos(System.nanoTime() - start),
          mismatched.stream().limit(MAX_REPORTED_MISMATCHES).map(String::valueOf).toList());
    }

    long deleteMovedFromSources() throws SQLException {
      Map<String, List<Object>> bySource = new LinkedHashMap<>();
      for (K key : copiedTo.keySet()) {
        String from = plan.from(router.hashOf(key));
        bySource.computeIfAbsent(from, f -> new ArrayList<>()).add(keyToColumn.apply(key));
      }
      long deleted = 0;
      for (Map.Entry<String, List<Object>> entry : bySource.entrySet()) {
        deleted += delete(shard(entry.getKey()), entry.getValue());
      }
      return deleted;
    }

    DataSource shard(String id) {
      return plan.after().shard(id).or(() -> plan.before().shard(id)).orElseThrow().resource();
    }
  }

  private String selectColumns() {
    return keyColumn + (columns.isEmpty() ? "" : ", " + String.join(", ", columns));
  }

  private List<Object[]> scan(DataSource shard, Object after) throws SQLException {
    String sql = "SELECT " + selectColumns() + " FROM " + table
        + (after == null ? "" : " WHERE " + keyColumn + " > ?") + " ORDER BY " + keyColumn + " LIMIT ?";
    try (Connection c = shard.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      int p = 1;
      if (after != null) {
        s.setObject(p++, after);
      }
      s.setInt(p, batchSize);
      return rows(s);
    }
  }

  private interface RowConsumer {
    void accept(Object[] row);
  }

  private void forEachRow(DataSource shard, RowConsumer consumer) throws SQLException {
    Object after = null;
    while (true) {
      List<Object[]> batch = scan(shard, after);
      batch.forEach(consumer::accept);
      if (batch.size() < batchSize) {
        return;
      }
      after = batch.get(batch.size() - 1)[0];
    }
  }

  /** The rows of {@code keys} on {@code shard}, over one connection; absent keys are left out. */
  private Map<K, Object[]> readAll(DataSource shard, List<K> keys) throws SQLException {
    String sql = "SELECT " + selectColumns() + " FROM " + table + " WHERE " + keyColumn + " = ?";
    Map<K, Object[]> found = new HashMap<>();
    try (Connection c = shard.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      for (K key : keys) {
        s.setObject(1, keyToColumn.apply(key));
        List<Object[]> rows = rows(s);
        if (!rows.isEmpty()) {
          found.put(key, rows.get(0));
        }
      }
    }
    return found;
  }

  private List<Object[]> rows(PreparedStatement s) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    try (ResultSet rs = s.executeQuery()) {
      int width = columns.size() + 1;
      while (rs.next()) {
        Object[] row = new Object[width];
        for (int i = 0; i < width; i++) {
          row[i] = rs.getObject(i + 1);
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private void upsert(DataSource shard, List<Object[]> rows) throws SQLException {
    String delete = "DELETE FROM " + table + " WHERE " + keyColumn + " = ?";
    String insert = "INSERT INTO " + table + " (" + selectColumns() + ") VALUES ("
        + "?, ".repeat(columns.size()) + "?)";
    try (Connection c = shard.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try (PreparedStatement d = c.prepareStatement(delete); PreparedStatement i = c.prepareStatement(insert)) {
        for (Object[] row : rows) {
          d.setObject(1, row[0]);
          d.addBatch();
          for (int col = 0; col < row.length; col++) {
            i.setObject(col + 1, row[col]);
          }
          i.addBatch();
        }
        d.executeBatch();
        i.executeBatch();
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    }
  }

  private long delete(DataSource shard, List<Object> keys) throws SQLException {
    String sql = "DELETE FROM " + table + " WHERE " + keyColumn + " = ?";
    long deleted = 0;
    try (Connection c = shard.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      for (int from = 0; from < keys.size(); from += batchSize) {
        for (Object key : keys.subList(from, Math.min(keys.size(), from + batchSize))) {
          s.setObject(1, key);
          s.addBatch();
        }
        for (int n : s.executeBatch()) {
          deleted += Math.max(n, 0);
        }
      }
    }
    return deleted;
  }

  private long rowChecksum(Object[] row) {
    StringBuilder s = new StringBuilder();
    for (Object value : row) {
      s.append(value == null ? "\u0000null" : value.toString()).append('\u0001');
    }
    return checksum.hash(s);
  }

  /** Configures a migrator; setters validate and name the bad value. Not thread-safe. */
  public static final class Builder<K> {
    private String name = "shard-migrator";
    private String table;
    private String keyColumn;
    private List<String> columns = List.of();
    private int batchSize = DEFAULT_BATCH_SIZE;
    private int catchUpThreshold = DEFAULT_CATCH_UP_THRESHOLD;
    private int maxCatchUpRounds = DEFAULT_MAX_CATCH_UP_ROUNDS;
    private Duration maxPause = DEFAULT_MAX_PAUSE;
    @SuppressWarnings("unchecked")
    private Function<Object, K> keyFromColumn = value -> (K) value;
    private Function<K, Object> keyToColumn = key -> key;

    private Builder() {}

    public Builder<K> name(String instanceName) {
      this.name = Objects.requireNonNull(instanceName, "name must not be null");
      return this;
    }

    /** The table to move, a plain identifier (optionally schema-qualified). */
    public Builder<K> table(String tableName) {
      this.table = Identifiers.check(tableName);
      return this;
    }

    /** The sharding column: unique, ordered, what the router's keys are read from. */
    public Builder<K> keyColumn(String column) {
      this.keyColumn = Identifiers.check(column);
      return this;
    }

    /** The other columns to copy and checksum. */
    public Builder<K> columns(List<String> otherColumns) {
      Objects.requireNonNull(otherColumns, "columns must not be null");
      otherColumns.forEach(Identifiers::check);
      this.columns = List.copyOf(otherColumns);
      return this;
    }

    public Builder<K> batchSize(int rows) {
      if (rows <= 0) {
        throw new IllegalArgumentException("batchSize must be > 0 but was " + rows);
      }
      this.batchSize = rows;
      return this;
    }

    /** Catch-up stops once a round finds at most this many written keys. */
    public Builder<K> catchUpThreshold(int keys) {
      if (keys < 0) {
        throw new IllegalArgumentException("catchUpThreshold must be >= 0 but was " + keys);
      }
      this.catchUpThreshold = keys;
      return this;
    }

    public Builder<K> maxCatchUpRounds(int rounds) {
      if (rounds <= 0) {
        throw new IllegalArgumentException("maxCatchUpRounds must be > 0 but was " + rounds);
      }
      this.maxCatchUpRounds = rounds;
      return this;
    }

    /** How long the cutover may wait for writes in progress before it gives up. */
    public Builder<K> maxPause(Duration pause) {
      Objects.requireNonNull(pause, "maxPause must not be null");
      if (pause.isNegative() || pause.isZero()) {
        throw new IllegalArgumentException("maxPause must be > 0 but was " + pause);
      }
      this.maxPause = pause;
      return this;
    }

    /** How a key column value becomes a router key; default a cast. */
    public Builder<K> keyFromColumn(Function<Object, K> mapping) {
      this.keyFromColumn = Objects.requireNonNull(mapping, "keyFromColumn must not be null");
      return this;
    }

    /** How a router key becomes a key column value; default the key itself. */
    public Builder<K> keyToColumn(Function<K, Object> mapping) {
      this.keyToColumn = Objects.requireNonNull(mapping, "keyToColumn must not be null");
      return this;
    }

    /**
     * Applies the settings present in {@code settings}: {@code table}, {@code keyColumn},
     * {@code columns} (comma-separated), {@code batchSize}, {@code catchUpThreshold},
     * {@code maxCatchUpRounds}, {@code maxPause} (ISO-8601, {@code PT0.5S}).
     */
    public Builder<K> from(Map<String, String> settings) {
      Objects.requireNonNull(settings, "settings must not be null");
      settings.forEach((key, raw) -> {
        String value = raw.trim();
        switch (key) {
          case "table" -> table(value);
          case "keyColumn" -> keyColumn(value);
          case "columns" -> columns(value.isEmpty() ? List.of()
              : Arrays.stream(value.split(",")).map(String::trim).toList());
          case "batchSize" -> batchSize(Integer.parseInt(value));
          case "catchUpThreshold" -> catchUpThreshold(Integer.parseInt(value));
          case "maxCatchUpRounds" -> maxCatchUpRounds(Integer.parseInt(value));
          case "maxPause" -> maxPause(Duration.parse(value));
          default -> throw new IllegalArgumentException("unknown migrator setting '" + key + "'");
        }
      });
      return this;
    }

    /** @throws IllegalStateException if the table or key column is missing */
    public JdbcShardMigrator<K> build() {
      if (table == null || keyColumn == null) {
        throw new IllegalStateException("table and keyColumn are required");
      }
      return new JdbcShardMigrator<>(this);
    }
  }
}
