package io.scaleblocks.sharding.jdbc;

import io.scaleblocks.config.Settings;
import io.scaleblocks.sharding.ReshardingPlan;
import io.scaleblocks.sharding.ShardRouter;
import io.scaleblocks.sharding.ShardTopology;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the rows of one table, keyed by its sharding column, from the shards a router uses now to
 * the shards of a new topology, while the application keeps writing through
 * {@link ShardRouter#write}.
 *
 * <p>The key column need not be unique (orders keyed by {@code customer_id}): a key's rows are
 * always read, copied, checksummed and deleted together.
 *
 * <ol>
 *   <li><b>Copy</b>: every old shard is read in key order, about {@code batchSize} rows of whole
 *       keys at a time; the keys the new topology places elsewhere are copied there (their rows
 *       deleted and inserted in one transaction per batch, so a re-run is idempotent).
 *   <li><b>Catch-up</b>: keys written during the copy (the router records them) are copied again
 *       from their old shard, or deleted on the new one if they are gone, in rounds until a round
 *       has at most {@code catchUpThreshold} keys (else: rolled back after
 *       {@code maxCatchUpRounds}).
 *   <li><b>Verify</b>: a checksum of each moved key's rows (murmur3 over every column the table has
 *       but those excluded ({@link Builder#columns}) and generated ones, which the new shard
 *       computes again, by content,
 *       summed over the key's rows) on its old shard is compared with its copy. More than
 *       {@code catchUpThreshold} differences that no write explains roll the migration back.
 *   <li><b>Cutover</b>: once the keys written since number at most {@code catchUpThreshold},
 *       writes are paused; those keys are copied and verified again in batched reads and the
 *       router is switched. The switch is an edit: pins made and resources replaced during the
 *       migration are kept ({@link ShardTopology#rebase}), except that a key unpinned meanwhile
 *       whose new placement holds none of its rows stays pinned to the shard that does (logged);
 *       if shards were added or removed
 *       meanwhile, the migration rolls back instead. The pause, measured from when it begins to
 *       hold new writes, is bounded by {@code maxPause}: waiting for writes in progress counts,
 *       and before each batched read or write the migrator checks that one and a half times the
 *       slowest such step seen so far still fits, keeping a tenth of {@code maxPause} for the
 *       switch; if not it un-pauses, catches up and tries again, up to
 *       {@code maxCutoverAttempts} times, then rolls back. A statement that stalls past that
 *       estimate (a hung backend, a lock wait) does not hold writes with it: while paused, every
 *       statement gets a query timeout of the seconds left, and at {@code maxPause} less the
 *       reserve a timer releases the writes and cancels the statements still running
 *       ({@link java.sql.Statement#cancel}); that attempt then cannot switch and counts as one
 *       that did not fit. So the pause exceeds {@code maxPause} only by how late the timer
 *       thread runs (a starved or stopped JVM).
 *   <li><b>Cleanup</b>: the moved keys' rows are deleted from their old shards.
 * </ol>
 *
 * <p>Results say what happened ({@link MigrationReport.Outcome}): a failure before the switch
 * (a mismatch, a shard that fails, a changed topology, a pause that would not fit) rolls back:
 * the router keeps its topology and the copies are deleted; a failure during the cleanup leaves
 * the router switched and reports the stale rows left ({@code CUT_OVER_CLEANUP_PENDING}), and
 * {@link #cleanup} finishes the job later. If the rollback's own deletes fail, the report names
 * the copies left the same way ({@code ROLLED_BACK_CLEANUP_PENDING}). Nothing is thrown for a
 * shard failure.
 *
 * <p><b>Visibility.</b> Until the cleanup, a moved key's rows exist on two shards. Routed reads
 * see one copy; a scatter-gather over every shard sees both when both are in the router (a shard
 * removal, or a failed cleanup). {@link ShardQueries#owned} drops the rows a shard does not own.
 *
 * <p>Writes that bypass {@link ShardRouter#write} during a migration are not seen and may be lost,
 * and so are writes whose transaction commits after {@code write} returns (a transaction must
 * commit inside the call). Memory is {@code O(moved keys)}. SQL goes through prepared
 * statements; table and column names must be plain identifiers. One migration at a time per
 * router, enforced: a second {@link #migrate} on a router while one runs throws. An instance is
 * immutable and thread-safe.
 *
 * @param <K> the router's key type, read from and written to the key column
 */
public final class JdbcShardMigrator<K> {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcShardMigrator.class);
  private static final int MAX_REPORTED_MISMATCHES = 100;
  /** The routers a migration runs on now, by identity: one migration at a time per router. */
  private static final Set<ShardRouter<?, ?>> MIGRATING =
      Collections.newSetFromMap(Collections.synchronizedMap(new IdentityHashMap<>()));

  public static final int DEFAULT_BATCH_SIZE = 1_000;
  public static final int DEFAULT_CATCH_UP_THRESHOLD = 200;
  public static final int DEFAULT_MAX_CATCH_UP_ROUNDS = 20;
  public static final Duration DEFAULT_MAX_PAUSE = Duration.ofSeconds(1);
  public static final int DEFAULT_MAX_CUTOVER_ATTEMPTS = 3;

  private final String name;
  /** Enough of the table to delete keys; {@link #describe} reads the rest at each migration. */
  private final ShardTable table;
  private final String tableName;
  private final String keyColumn;
  /** The other columns as configured; null: every column the table has. */
  private final List<String> columns;
  private final List<String> excludedColumns;
  private final int batchSize;
  private final int catchUpThreshold;
  private final int maxCatchUpRounds;
  private final Duration maxPause;
  private final int maxCutoverAttempts;
  private final Function<Object, K> keyFromColumn;
  private final Function<K, Object> keyToColumn;

  private JdbcShardMigrator(Builder<K> b) {
    this.name = b.name;
    this.tableName = b.table;
    this.keyColumn = b.keyColumn;
    this.columns = b.columns;
    this.excludedColumns = b.excludedColumns;
    this.batchSize = b.batchSize;
    this.table = ShardTable.forDeletes(b.table, b.keyColumn, b.batchSize);
    this.catchUpThreshold = b.catchUpThreshold;
    this.maxCatchUpRounds = b.maxCatchUpRounds;
    this.maxPause = b.maxPause;
    this.maxCutoverAttempts = b.maxCutoverAttempts;
    this.keyFromColumn = b.keyFromColumn;
    this.keyToColumn = b.keyToColumn;
  }

  public static <K> Builder<K> builder() {
    return new Builder<>();
  }

  /**
   * Migrates the table from {@code router}'s current topology to {@code target}.
   *
   * @return what happened and what is left: see {@link MigrationReport.Outcome}; an interrupt
   *     while pausing writes rolls back (the interrupt stays set)
   * @throws IllegalStateException if another migration runs on {@code router} (of any migrator)
   * @throws IllegalArgumentException if the plan is empty (nothing would move), or if the
   *     configured {@code columns} leave out a column of the table that is not excluded (named in
   *     the message) or name a column it does not have
   */
  public MigrationReport migrate(ShardRouter<K, DataSource> router, ShardTopology<DataSource> target) {
    Objects.requireNonNull(router, "router must not be null");
    if (!MIGRATING.add(router)) {
      throw new IllegalStateException(name + " - router " + router + " is already migrating; one migration at a"
          + " time per router");
    }
    try {
      return migrateAlone(router, target);
    } finally {
      MIGRATING.remove(router);
    }
  }

  private MigrationReport migrateAlone(ShardRouter<K, DataSource> router, ShardTopology<DataSource> target) {
    long start = System.nanoTime();
    ReshardingPlan<DataSource> plan = ReshardingPlan.plan(router.topology(), target);
    LOG.info("{} - migrating {} from {} to {}", name, tableName, plan.before().shards(), target.shards());
    ShardTable described;
    try {
      described = describe(plan.before().shards().get(0).resource());
    } catch (SQLException e) {
      LOG.warn("{} - reading the columns of {} failed; nothing was done", name, tableName, e);
      return new MigrationReport(MigrationReport.Outcome.ROLLED_BACK, "a shard failed: " + e, 0, 0, 0,
          Duration.ZERO, 0, Duration.ofNanos(System.nanoTime() - start), List.of(), PendingCleanup.NONE);
    }
    Migration<K> run = new Migration<>(described, router, plan, keyFromColumn);
    try (ShardRouter.WriteTracker<K> tracker = router.trackWrites()) {
      Outcome outcome;
      try {
        outcome = copyVerifyAndSwitch(run, tracker);
      } catch (SQLException e) {
        LOG.warn("{} - a shard failed while migrating {}; rolling back", name, tableName, e);
        outcome = Outcome.rollBack("a shard failed: " + e, Map.of());
      } catch (IllegalArgumentException e) {
        // A value the checksum cannot compare: bad input, named in the message.
        LOG.warn("{} - migrating {} failed; rolling back", name, tableName, e);
        outcome = Outcome.rollBack(e.getMessage(), Map.of());
      } catch (RuntimeException e) {
        // A key mapping or a driver that throws unchecked: the router was not switched.
        LOG.warn("{} - migrating {} failed; rolling back", name, tableName, e);
        outcome = Outcome.rollBack("failed: " + e, Map.of());
      }
      MigrationReport report = finish(router, run, outcome, start);
      LOG.info("{} - migration of {}: {}", name, tableName, report);
      return report;
    }
  }

  /** How the steps before the cleanup ended: switched, or why not. */
  private record Outcome(boolean switched, String reason, Map<Object, Object> mismatches) {
    static final Outcome SWITCHED = new Outcome(true, "", Map.of());

    static Outcome rollBack(String reason, Map<Object, Object> mismatches) {
      return new Outcome(false, reason, mismatches);
    }
  }

  private Outcome copyVerifyAndSwitch(Migration<K> run, ShardRouter.WriteTracker<K> tracker)
      throws SQLException {
    Map<String, Long> nullKeys = run.nullKeys();
    if (!nullKeys.isEmpty()) {
      return Outcome.rollBack(tableName + "." + keyColumn + " is NULL in rows no router key reaches "
          + nullKeys + "; give them a key or delete them first", Map.of());
    }
    run.copyAll();
    if (run.misplacedRows > 0) {
      return Outcome.rollBack(run.misplacedRows + " rows sit on a shard the current topology does not"
          + " place their key on (" + run.misplacedExample + "): the key column's values do not map to"
          + " the router's keys (keyFromColumn), or rows were left by an unfinished cleanup", Map.of());
    }
    if (!catchUpUntilQuiet(run, tracker)) {
      return Outcome.rollBack("catch-up did not converge in " + maxCatchUpRounds + " rounds", Map.of());
    }
    Map<Object, Object> mismatched = run.verifyAll();
    Map<Object, Object> written = drain(run, tracker);
    Map<Object, Object> unexplained = without(mismatched, written);
    if (unexplained.size() > catchUpThreshold) {
      return Outcome.rollBack("verification failed for " + unexplained.size() + " keys", unexplained);
    }
    // A write in flight during the scan may explain a few differences: copy and check them again.
    written.putAll(mismatched);
    return cutOver(run, tracker, written);
  }

  private boolean catchUpUntilQuiet(Migration<K> run, ShardRouter.WriteTracker<K> tracker)
      throws SQLException {
    for (int round = 0; round < maxCatchUpRounds; round++) {
      Map<Object, Object> dirty = drain(run, tracker);
      run.catchUp(dirty.values());
      if (dirty.size() <= catchUpThreshold) {
        return true;
      }
    }
    return false;
  }

  /**
   * Copies and verifies {@code pending} with writes running until few enough keys are left, then
   * pauses writes to copy and verify the last ones and switch the router, within {@code maxPause}.
   */
  private Outcome cutOver(Migration<K> run, ShardRouter.WriteTracker<K> tracker,
      Map<Object, Object> pending) throws SQLException {
    int rounds = 0;
    while (true) {
      run.catchUp(pending.values());
      Map<Object, Object> mismatched = run.verify(pending.values());
      Map<Object, Object> written = drain(run, tracker);
      Map<Object, Object> unexplained = without(mismatched, written);
      if (unexplained.size() > catchUpThreshold) {
        return Outcome.rollBack("verification failed for " + unexplained.size() + " keys", unexplained);
      }
      written.putAll(mismatched);
      pending = written;
      if (pending.size() > catchUpThreshold) {
        if (++rounds >= maxCatchUpRounds) {
          return Outcome.rollBack("catch-up did not converge in " + maxCatchUpRounds + " rounds", Map.of());
        }
        continue;
      }
      Optional<Outcome> paused = pauseAndSwitch(run, tracker, pending);
      if (paused.isPresent()) {
        return paused.get();
      }
      if (run.cutoverAttempts >= maxCutoverAttempts) {
        return Outcome.rollBack("the cutover did not fit in maxPause " + maxPause + " in "
            + run.cutoverAttempts + " attempts", Map.of());
      }
    }
  }

  /** The part of {@code maxPause} kept for the switch and the un-pause: a tenth, at least 1 ms. */
  private long pauseReserveNanos() {
    return Math.max(Duration.ofMillis(1).toNanos(), maxPause.toNanos() / 10);
  }

  /** One cutover attempt; empty if it gave up to stay within {@code maxPause}. */
  private Optional<Outcome> pauseAndSwitch(Migration<K> run, ShardRouter.WriteTracker<K> tracker,
      Map<Object, Object> pending) throws SQLException {
    run.cutoverAttempts++;
    ShardRouter.WritePause held;
    try {
      // Waiting for writes in progress may use the pause up to its reserve, never all of it.
      held = run.pauseWrites(maxPause.minusNanos(pauseReserveNanos()));
    } catch (IllegalStateException e) {
      if (Thread.currentThread().isInterrupted()) {
        return Optional.of(Outcome.rollBack("interrupted while pausing writes", Map.of()));
      }
      run.longestPauseNanos = Math.max(run.longestPauseNanos, maxPause.toNanos());
      LOG.info("{} - cutover attempt {}: {}", name, run.cutoverAttempts, e.getMessage());
      return Optional.empty();
    }
    long deadline = System.nanoTime() - held.heldNanos() + maxPause.toNanos();
    // The timer releases writes a reserve before the deadline, leaving the reserve for resume.
    PauseDeadline attempt;
    try {
      attempt = new PauseDeadline(name, deadline - pauseReserveNanos(), held);
    } catch (RuntimeException | Error e) {
      held.close(); // no timer could start: writes must not stay paused
      throw e;
    }
    try {
      run.deadline(deadline, pauseReserveNanos(), attempt);
      pending.putAll(drain(run, tracker));
      run.catchUp(pending.values());
      Map<Object, Object> mismatched = run.verify(pending.values());
      if (!mismatched.isEmpty()) {
        return Optional.of(Outcome.rollBack("verification with writes paused failed for "
            + mismatched.size() + " keys", mismatched));
      }
      if (!attempt.claimSwitch()) {
        throw new Migration.PauseBudgetExceeded("the pause's deadline released writes before the switch");
      }
      try {
        run.switchRouter();
        if (!run.keptPins.isEmpty()) {
          LOG.warn("{} - {} keys unpinned during the migration stay pinned to the shard holding their rows"
              + " (routing hash to shard: {}); migrate again or unpin them once moved", name,
              run.keptPins.size(), run.keptPins);
        }
      } catch (IllegalStateException e) {
        return Optional.of(Outcome.rollBack("topology changed during the migration: " + e.getMessage(), Map.of()));
      }
      return Optional.of(Outcome.SWITCHED);
    } catch (Migration.PauseBudgetExceeded e) {
      LOG.info("{} - cutover attempt {} gave up to stay within maxPause {}: {}", name,
          run.cutoverAttempts, maxPause, e.getMessage());
      return Optional.empty();
    } finally {
      attempt.close();
      run.longestPauseNanos = Math.max(run.longestPauseNanos, attempt.release());
      run.noDeadline();
    }
  }

  private MigrationReport finish(ShardRouter<K, DataSource> router, Migration<K> run, Outcome outcome,
      long start) {
    StaleRows.Cleaned cleaned = clean(router, outcome.switched() ? run.oldRows() : run.copies());
    MigrationReport.Outcome result;
    String reason = outcome.reason();
    if (outcome.switched()) {
      result = cleaned.left().isEmpty() ? MigrationReport.Outcome.COMPLETED
          : MigrationReport.Outcome.CUT_OVER_CLEANUP_PENDING;
    } else {
      result = cleaned.left().isEmpty() ? MigrationReport.Outcome.ROLLED_BACK
          : MigrationReport.Outcome.ROLLED_BACK_CLEANUP_PENDING;
    }
    if (!cleaned.failure().isEmpty()) {
      reason = (reason.isEmpty() ? "" : reason + "; ") + "cleanup failed: " + cleaned.failure();
    }
    if (cleaned.undecided() > 0) {
      reason = (reason.isEmpty() ? "" : reason + "; ") + cleaned.undecided() + " copies of keys pinned"
          + " meanwhile to a shard holding neither copy were kept (pendingCleanup names them; a cleanup"
          + " deletes the stale one once the key is placed on the other)";
    }
    return new MigrationReport(result, reason, run.rowsCopied, run.keysCaughtUp, cleaned.deleted(),
        Duration.ofNanos(run.longestPauseNanos), run.cutoverAttempts, Duration.ofNanos(System.nanoTime() - start),
        outcome.mismatches().values().stream().limit(MAX_REPORTED_MISMATCHES).map(String::valueOf).toList(),
        cleaned.left());
  }

  /**
   * Deletes the stale rows {@code pending} names (from a report's
   * {@link MigrationReport#pendingCleanup()}), shard by shard; a key's rows go only where the
   * router's current topology no longer reads them (see {@link PendingCleanup}). Safe to repeat
   * and to run while the application writes.
   *
   * @return what is still left: the entries of shards that failed again (logged), empty when done
   */
  public PendingCleanup cleanup(ShardRouter<K, DataSource> router, PendingCleanup pending) {
    Objects.requireNonNull(router, "router must not be null");
    Objects.requireNonNull(pending, "pending must not be null");
    return clean(router, pending).left();
  }

  private StaleRows.Cleaned clean(ShardRouter<K, DataSource> router, PendingCleanup pending) {
    return new StaleRows<>(name, tableName, table, keyFromColumn).delete(router, pending);
  }

  /**
   * The moving keys written since the last drain, as key column values by canonical value; keys
   * that stay where they are need no catch-up and do not count against the threshold.
   */
  private Map<Object, Object> drain(Migration<K> run, ShardRouter.WriteTracker<K> tracker) {
    Map<Object, Object> keys = new LinkedHashMap<>();
    for (K key : tracker.drain()) {
      Object value = keyToColumn.apply(key);
      if (!run.roundTripChecked) {
        checkRoundTrip(key, value);
        run.roundTripChecked = true;
      }
      if (run.moves(value)) {
        keys.put(run.identity(value), value);
      }
    }
    return keys;
  }

  /** keyToColumn then keyFromColumn must give the key back, or a catch-up would miss its rows. */
  private void checkRoundTrip(K key, Object value) {
    Object back = keyFromColumn.apply(value);
    if (!Objects.equals(KeyValues.canonical(back), KeyValues.canonical(key))) {
      throw new IllegalStateException("the key " + key + " (" + key.getClass().getName() + ") becomes the column"
          + " value " + value + " and that the key " + back + " (" + (back == null ? "null" : back.getClass().getName())
          + "): keyToColumn and keyFromColumn must be inverses");
    }
  }

  /**
   * The table as {@code shard} has it: its columns (each checked against the configuration) and
   * whether the key column is blank-padded text.
   */
  private ShardTable describe(DataSource shard) throws SQLException {
    List<String> all = new ArrayList<>();
    boolean paddedKey = false;
    String key = null;
    String quote;
    Set<String> generated;
    boolean overrideIdentity = false;
    try (Connection c = shard.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + tableName + " WHERE 1 = 0")) {
      DatabaseMetaData database = c.getMetaData();
      quote = database.getIdentifierQuoteString().strip();
      generated = generatedColumns(c);
      boolean postgres = "PostgreSQL".equals(database.getDatabaseProductName());
      ResultSetMetaData meta = rs.getMetaData();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        String column = meta.getColumnName(i);
        // An identity column (GENERATED ALWAYS) refuses the value a copy carries unless told.
        overrideIdentity |= postgres && meta.isAutoIncrement(i);
        if (column.equalsIgnoreCase(keyColumn)) {
          key = column;
          paddedKey = meta.getColumnType(i) == Types.CHAR || meta.getColumnType(i) == Types.NCHAR;
        } else {
          all.add(column);
        }
      }
    }
    if (key == null) {
      throw new IllegalArgumentException("table " + tableName + " has no key column " + keyColumn
          + "; its columns are " + all);
    }
    List<String> chosen = new ArrayList<>();
    for (String column : all) {
      boolean excluded = excludedColumns.stream().anyMatch(column::equalsIgnoreCase);
      boolean listed = columns == null || columns.stream().anyMatch(column::equalsIgnoreCase);
      if (excluded || generated.contains(column)) {
        // A generated column is computed again from the copied ones on the new shard.
        continue;
      }
      if (!listed) {
        throw new IllegalArgumentException("columns " + columns + " leave out column " + column + " of "
            + tableName + ", which would be lost on every moved row; list it, or exclude it with"
            + " excludeColumns");
      }
      // Spelled as the database reports it, quoted: unquoted, a case-sensitive name ("noteText"
      // on PostgreSQL) would be folded to another column that does not exist.
      Identifiers.check(column);
      chosen.add(quote.isEmpty() ? column : quote + column + quote);
    }
    for (String named : columns == null ? excludedColumns : concat(columns, excludedColumns)) {
      if (all.stream().noneMatch(named::equalsIgnoreCase)) {
        throw new IllegalArgumentException("table " + tableName + " has no column " + named + " (key column "
            + key + ", others " + all + ")");
      }
    }
    return new ShardTable(tableName, keyColumn, chosen, batchSize, paddedKey, overrideIdentity,
        value -> KeyValues.canonical(keyFromColumn.apply(value)));
  }

  /**
   * The table's computed columns ({@code GENERATED ALWAYS AS (...)}), by the driver's
   * {@code IS_GENERATEDCOLUMN}, looked up in the table's schema (else the connection's) under the
   * name as written, lower- and upper-cased, as databases fold unquoted names either way.
   */
  private Set<String> generatedColumns(Connection c) throws SQLException {
    int dot = tableName.indexOf('.');
    String schema = dot < 0 ? c.getSchema() : tableName.substring(0, dot);
    String table = tableName.substring(dot + 1);
    Set<String> generated = new HashSet<>();
    List<UnaryOperator<String>> spellings = List.of(name -> name, name -> name.toLowerCase(Locale.ROOT),
        name -> name.toUpperCase(Locale.ROOT));
    for (UnaryOperator<String> spelling : spellings) {
      try (ResultSet columns = c.getMetaData().getColumns(null,
          schema == null ? null : spelling.apply(schema), spelling.apply(table), null)) {
        while (columns.next()) {
          if ("YES".equals(columns.getString("IS_GENERATEDCOLUMN"))) {
            generated.add(columns.getString("COLUMN_NAME"));
          }
        }
      }
    }
    return generated;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> both = new ArrayList<>(a);
    both.addAll(b);
    return both;
  }

  private static Map<Object, Object> without(Map<Object, Object> keys, Map<Object, Object> minus) {
    Map<Object, Object> rest = new LinkedHashMap<>(keys);
    rest.keySet().removeAll(minus.keySet());
    return rest;
  }

  /** Configures a migrator; setters validate and name the bad value. Not thread-safe. */
  public static final class Builder<K> {
    private String name = "shard-migrator";
    private String table;
    private String keyColumn;
    private List<String> columns;
    private List<String> excludedColumns = List.of();
    private int batchSize = DEFAULT_BATCH_SIZE;
    private int catchUpThreshold = DEFAULT_CATCH_UP_THRESHOLD;
    private int maxCatchUpRounds = DEFAULT_MAX_CATCH_UP_ROUNDS;
    private Duration maxPause = DEFAULT_MAX_PAUSE;
    private int maxCutoverAttempts = DEFAULT_MAX_CUTOVER_ATTEMPTS;
    @SuppressWarnings("unchecked")
    private Function<Object, K> keyFromColumn = value -> (K) defaultKey(value);
    private Function<K, Object> keyToColumn = key -> key;

    private Builder() {}

    /** Whole numbers of any width as {@link Long}, as routers over {@code Long} keys expect. */
    private static Object defaultKey(Object value) {
      Object canonical = KeyValues.canonical(value);
      return canonical instanceof Long ? canonical : value;
    }

    /** The name log lines start with. */
    public Builder<K> name(String instanceName) {
      Objects.requireNonNull(instanceName, "name must not be null");
      if (instanceName.isBlank()) {
        throw new IllegalArgumentException("name must not be blank but was '" + instanceName + "'");
      }
      this.name = instanceName;
      return this;
    }

    /** The table to move, a plain identifier (optionally schema-qualified). */
    public Builder<K> table(String tableName) {
      this.table = Identifiers.check(tableName);
      return this;
    }

    /**
     * The sharding column, what the router's keys are read from; need not be unique (all rows of
     * a key move together), must be comparable ({@code ORDER BY}).
     */
    public Builder<K> keyColumn(String column) {
      this.keyColumn = Identifiers.check(column);
      return this;
    }

    /**
     * The other columns to copy and checksum; default: every column the table has, read from the
     * database at each migration. A list must name every column of the table but those
     * {@linkplain #excludeColumns excluded} and generated ones ({@code GENERATED ALWAYS AS}, never
     * copied: the new shard computes them): {@link #migrate} refuses one that leaves a column
     * out, naming it. Identity columns are copied with their values.
     */
    public Builder<K> columns(List<String> otherColumns) {
      Objects.requireNonNull(otherColumns, "columns must not be null");
      otherColumns.forEach(Identifiers::check);
      this.columns = List.copyOf(otherColumns);
      return this;
    }

    /**
     * Columns deliberately not moved: they are neither copied nor checksummed, so a moved row
     * gets the column's default on its new shard (its value is lost). Default none.
     */
    public Builder<K> excludeColumns(List<String> notMoved) {
      Objects.requireNonNull(notMoved, "excludeColumns must not be null");
      notMoved.forEach(Identifiers::check);
      this.excludedColumns = List.copyOf(notMoved);
      return this;
    }

    /** Rows per page of the copy and keys per {@code IN} list. */
    public Builder<K> batchSize(int rows) {
      if (rows <= 0 || rows > 100_000) {
        throw new IllegalArgumentException("batchSize must be between 1 and 100000 but was " + rows);
      }
      this.batchSize = rows;
      return this;
    }

    /**
     * Catch-up stops once a round finds at most this many written keys; also the most keys a
     * cutover copies with writes paused, and the most differences a write may explain.
     */
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

    /**
     * The longest writes may be held at a cutover, waiting for writes in progress included; an
     * attempt that would take longer gives up and un-pauses.
     */
    public Builder<K> maxPause(Duration pause) {
      Objects.requireNonNull(pause, "maxPause must not be null");
      if (pause.isNegative() || pause.isZero()) {
        throw new IllegalArgumentException("maxPause must be > 0 but was " + pause);
      }
      this.maxPause = pause;
      return this;
    }

    /** How many cutovers may give up for {@code maxPause} before the migration rolls back. */
    public Builder<K> maxCutoverAttempts(int attempts) {
      if (attempts <= 0) {
        throw new IllegalArgumentException("maxCutoverAttempts must be > 0 but was " + attempts);
      }
      this.maxCutoverAttempts = attempts;
      return this;
    }

    /**
     * How a key column value becomes a router key; default: whole numbers ({@code INTEGER},
     * {@code BIGINT}, ...) as {@link Long}, others as the driver returns them.
     */
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
     * Applies the settings present in {@code settings} by the {@link Settings} convention (kebab-case
     * keys matched relaxed, durations such as {@code 500ms}): {@code name}, {@code table},
     * {@code key-column}, {@code columns} and {@code exclude-columns} (comma-separated),
   * {@code batch-size} (1..100000),
     * {@code catch-up-threshold} (0..10000000), {@code max-catch-up-rounds} (1..1000),
     * {@code max-pause} (1ms..1h), {@code max-cutover-attempts} (1..100).
     *
     * @throws IllegalArgumentException naming the key for an unknown key or a bad value
     */
    public Builder<K> from(Map<String, ?> settings) {
      Settings s = Settings.of(name, settings);
      s.optionalString("name").ifPresent(this::name);
      s.optionalString("table").ifPresent(this::table);
      s.optionalString("key-column").ifPresent(this::keyColumn);
      s.optionalString("columns").ifPresent(value -> columns(value.isBlank() ? List.of()
          : Arrays.stream(value.split(",")).map(String::trim).toList()));
      s.optionalString("exclude-columns").ifPresent(value -> excludeColumns(value.isBlank() ? List.of()
          : Arrays.stream(value.split(",")).map(String::trim).toList()));
      batchSize(s.intValue("batch-size", 1, 100_000, batchSize));
      catchUpThreshold(s.intValue("catch-up-threshold", 0, 10_000_000, catchUpThreshold));
      maxCatchUpRounds(s.intValue("max-catch-up-rounds", 1, 1_000, maxCatchUpRounds));
      maxPause(s.duration("max-pause", Duration.ofMillis(1), Duration.ofHours(1), maxPause));
      maxCutoverAttempts(s.intValue("max-cutover-attempts", 1, 100, maxCutoverAttempts));
      s.done();
      return this;
    }

    /**
     * @throws IllegalStateException if the table or key column is missing
     * @throws IllegalArgumentException if a column is both listed and excluded
     */
    public JdbcShardMigrator<K> build() {
      if (table == null || keyColumn == null) {
        throw new IllegalStateException("table and keyColumn are required");
      }
      for (String excluded : excludedColumns) {
        if (excluded.equalsIgnoreCase(keyColumn)
            || (columns != null && columns.stream().anyMatch(excluded::equalsIgnoreCase))) {
          throw new IllegalArgumentException("column " + excluded + " is both moved and excluded");
        }
      }
      return new JdbcShardMigrator<>(this);
    }
  }
}
