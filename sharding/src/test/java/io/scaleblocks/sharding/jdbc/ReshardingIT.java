package io.scaleblocks.sharding.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.sharding.ReshardingPlan;
import io.scaleblocks.sharding.Shard;
import io.scaleblocks.sharding.ShardRouter;
import io.scaleblocks.sharding.ShardTopology;
import io.scaleblocks.testkit.RequireServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Grows four shard databases to five on the real PostgreSQL primary while writers keep writing,
 * and checks that every row ends where the new router says, once.
 */
class ReshardingIT {

  static final String SCHEMA =
      "CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL, note text)";
  static final int INITIAL_ROWS = 20_000;
  static final int WRITERS = 4;

  @BeforeEach
  void requirePostgres() {
    RequireServer.postgresPrimary();
  }

  private static ShardRouter<Long, DataSource> router(ShardDatabases dbs) {
    ShardRouter.Builder<Long, DataSource> builder = ShardRouter.builder();
    for (int i = 0; i < 4; i++) {
      builder.shard("s" + i, dbs.pool(i));
    }
    return builder.name("accounts-router").build();
  }

  private static void load(ShardRouter<Long, DataSource> router, Map<Long, Long> model) throws SQLException {
    Map<String, List<Long>> byShard = new HashMap<>();
    for (long id = 0; id < INITIAL_ROWS; id++) {
      byShard.computeIfAbsent(router.shardFor(id).id(), s -> new ArrayList<>()).add(id);
      model.put(id, 100L);
    }
    for (Map.Entry<String, List<Long>> e : byShard.entrySet()) {
      try (Connection c = router.topology().shard(e.getKey()).orElseThrow().resource().getConnection();
          PreparedStatement s = c.prepareStatement("INSERT INTO accounts VALUES (?, 100, ?)")) {
        for (long id : e.getValue()) {
          s.setLong(1, id);
          s.setString(2, "account " + id);
          s.addBatch();
        }
        s.executeBatch();
      }
    }
  }

  private static JdbcShardMigrator<Long> migrator() {
    return JdbcShardMigrator.<Long>builder()
        .name("accounts-migrator").table("accounts").keyColumn("id")
        .columns(List.of("balance", "note")).batchSize(2_000)
        .build();
  }

  /** Every row of every shard database, by id, with the shard it sits on. */
  private static Map<Long, List<String>> placementOfRows(ShardDatabases dbs, int count,
      Map<Long, Long> balances) throws SQLException {
    Map<Long, List<String>> where = new HashMap<>();
    for (int i = 0; i < count; i++) {
      try (Connection c = dbs.pool(i).getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT id, balance FROM accounts")) {
        while (rs.next()) {
          where.computeIfAbsent(rs.getLong(1), id -> new ArrayList<>()).add("s" + i);
          balances.put(rs.getLong(1), rs.getLong(2));
        }
      }
    }
    return where;
  }

  @Test
  void growingFourShardsToFiveUnderConcurrentWritesLosesAndDuplicatesNothing() throws Exception {
    try (ShardDatabases dbs = new ShardDatabases("grow", 5, SCHEMA)) {
      ShardRouter<Long, DataSource> router = router(dbs);
      Map<Long, Long> model = new ConcurrentHashMap<>();
      load(router, model);
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong writes = new AtomicLong();
      AtomicLong slowestWriteNanos = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        long seed = w;
        writers.add(pool.submit(() -> {
          SplittableRandom random = new SplittableRandom(seed);
          while (running.get()) {
            // Ids past INITIAL_ROWS are inserts; the rest update existing rows.
            long id = random.nextLong(INITIAL_ROWS + 5_000);
            long begin = System.nanoTime();
            router.write(id, shard -> {
              try (Connection c = shard.resource().getConnection();
                  PreparedStatement s = c.prepareStatement("INSERT INTO accounts VALUES (?, 101, ?) "
                      + "ON CONFLICT (id) DO UPDATE SET balance = accounts.balance + 1")) {
                s.setLong(1, id);
                s.setString(2, "account " + id);
                s.executeUpdate();
              }
              model.merge(id, 101L, (old, one) -> old + 1);
              return null;
            });
            slowestWriteNanos.accumulateAndGet(System.nanoTime() - begin, Math::max);
            writes.incrementAndGet();
          }
          return null;
        }));
      }
      while (writes.get() < 500) {
        Thread.onSpinWait();
      }
      ShardTopology<DataSource> before = router.topology();
      ShardTopology<DataSource> after = before.withShard(Shard.of("s4", dbs.pool(4)));
      long writesBefore = writes.get();
      MigrationReport report = migrator().migrate(router, after);
      long writesDuring = writes.get() - writesBefore;
      while (writes.get() < writesBefore + writesDuring + 500) {
        Thread.onSpinWait();
      }
      running.set(false);
      for (Future<?> writer : writers) {
        writer.get(30, TimeUnit.SECONDS);
      }
      pool.shutdown();

      assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
      assertTrue(router.topology() == after, "the router uses the new topology");
      Map<Long, Long> balances = new HashMap<>();
      Map<Long, List<String>> where = placementOfRows(dbs, 5, balances);
      assertEquals(model.keySet(), where.keySet(), "no row lost, none invented");
      long onNewShard = 0;
      for (Map.Entry<Long, List<String>> row : where.entrySet()) {
        assertEquals(1, row.getValue().size(), "row " + row.getKey() + " is on " + row.getValue());
        assertEquals(router.shardFor(row.getKey()).id(), row.getValue().get(0), "row " + row.getKey());
        assertEquals(model.get(row.getKey()), balances.get(row.getKey()), "balance of " + row.getKey());
        if (row.getValue().get(0).equals("s4")) {
          onNewShard++;
        }
      }
      ReshardingPlan<DataSource> plan = ReshardingPlan.plan(before, after);
      long expectedMoves = where.keySet().stream().filter(id -> plan.moves(router.hashOf(id))).count();
      assertEquals(expectedMoves, onNewShard, "exactly the planned keys moved, all onto s4");
      assertTrue(report.writePause().toMillis() <= 1_000, "write pause " + report.writePause());
      System.out.printf("resharding 4 -> 5: %d rows, %d copied, %d caught up, %d deleted, write pause %d ms "
              + "(slowest single write %d ms), %d writes during the migration of %d ms%n",
          where.size(), report.rowsCopied(), report.rowsCaughtUp(), report.rowsDeleted(),
          report.writePause().toMillis(), TimeUnit.NANOSECONDS.toMillis(slowestWriteNanos.get()),
          writesDuring, report.elapsed().toMillis());
    }
  }

  @Test
  void aCopyThatFailsVerificationIsRolledBackAndTheRouterKeepsTheOldShards() throws Exception {
    try (ShardDatabases dbs = new ShardDatabases("rollback", 5, SCHEMA)) {
      // The new shard corrupts some rows on their way in: verification must catch it.
      try (Connection c = dbs.pool(4).getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE FUNCTION corrupt() RETURNS trigger AS $$ BEGIN "
            + "IF NEW.id % 97 = 0 THEN NEW.note := 'corrupted'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql");
        s.execute("CREATE TRIGGER corrupt BEFORE INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION corrupt()");
      }
      ShardRouter<Long, DataSource> router = router(dbs);
      load(router, new HashMap<>());
      ShardTopology<DataSource> before = router.topology();
      MigrationReport report = migrator().migrate(router, before.withShard(Shard.of("s4", dbs.pool(4))));

      assertEquals(MigrationReport.Outcome.ROLLED_BACK, report.outcome());
      assertTrue(!report.mismatches().isEmpty());
      assertTrue(router.topology() == before, "the router keeps the old topology");
      Map<Long, List<String>> where = placementOfRows(dbs, 5, new HashMap<>());
      assertEquals(INITIAL_ROWS, where.size());
      for (Map.Entry<Long, List<String>> row : where.entrySet()) {
        assertEquals(List.of(router.shardFor(row.getKey()).id()), row.getValue());
      }
      assertEquals(report.rowsCopied(), report.rowsDeleted(), "every copy was removed again");
    }
  }

  @Test
  void anEmptyPlanIsRejected() throws Exception {
    try (ShardDatabases dbs = new ShardDatabases("empty", 1, SCHEMA)) {
      ShardRouter<Long, DataSource> router = ShardRouter.<Long, DataSource>builder()
          .shard("s0", dbs.pool(0)).build();
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class, () -> migrator().migrate(router, router.topology()));
      assertTrue(e.getMessage().startsWith("empty plan: topology v1 and v1"), e.getMessage());
    }
  }

  private static final int CUSTOMERS = 3_000;

  private static JdbcShardMigrator<Long> ordersMigrator(Duration maxPause) {
    return JdbcShardMigrator.<Long>builder()
        .name("orders-migrator").table("orders").keyColumn("customer_id")
        .columns(List.of("id", "total")).batchSize(500).maxPause(maxPause)
        .build();
  }

  private static List<DataSource> pools(ShardDatabases dbs, int count) {
    List<DataSource> pools = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      pools.add(dbs.pool(i));
    }
    return pools;
  }

  /** A customer that the router places on s1 now and the target moves to s4. */
  private static long customerMovingFromS1ToS4(ShardRouter<Long, DataSource> router,
      ShardTopology<DataSource> target) {
    for (long customer = 0; ; customer++) {
      if (router.shardFor(customer).id().equals("s1")
          && target.shardForHash(router.hashOf(customer)).id().equals("s4")) {
        return customer;
      }
    }
  }

  @Test
  void aNonUniqueKeyColumnUnderConcurrentWritersLosesNoRowAndKeepsAPinMadeMidMigration() throws Exception {
    try (ShardDatabases dbs = new ShardDatabases("orders", 5, OrdersResharding.SCHEMA)) {
      ShardRouter<Long, DataSource> router = router(dbs);
      ShardTopology<DataSource> target = router.topology().withShard(Shard.of("s4", dbs.pool(4)));
      long pinned = customerMovingFromS1ToS4(router, target);
      try (OrdersResharding orders = new OrdersResharding(router, CUSTOMERS)) {
        orders.load();
        orders.startWriters(WRITERS);
        orders.awaitWrites(300);
        // Once the first copies land on s4, an operator pins a customer that is moving to s4 onto
        // s1 (where its orders are) and it keeps ordering there.
        AtomicBoolean pinMade = new AtomicBoolean();
        Thread operator = new Thread(() -> {
          try {
            while (count(dbs.pool(4)) == 0) {
              Thread.onSpinWait();
            }
            router.pin(pinned, "s1");
            pinMade.set(true);
            orders.addOrder(pinned);
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        });
        operator.start();
        MigrationReport report = ordersMigrator(Duration.ofSeconds(1)).migrate(router, target);
        operator.join();
        orders.awaitWrites(300);
        orders.stopWriters();

        assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
        assertTrue(pinMade.get());
        assertEquals(Map.of(router.hashOf(pinned), "s1"), router.topology().pins(), "the pin is kept");
        assertEquals("s1", router.shardFor(pinned).id());
        orders.assertEveryOrderOnceWhereTheRouterSays(pools(dbs, 5));
        System.out.printf("orders by customer_id 4 -> 5: %d orders, %d rows copied, %d keys caught up, "
                + "write pause %d ms, %d writes%n", orders.model.size(), report.rowsCopied(),
            report.rowsCaughtUp(), report.writePause().toMillis(), orders.writes.get());
      }
    }
  }

  private static long count(DataSource db) throws SQLException {
    try (Connection c = db.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Makes the first statement of {@code kind} on database {@code i} (once {@code afterRows} orders
   * are there) sleep in the server, where a watcher finds its backend and terminates it with
   * {@code pg_terminate_backend}: the migrator's connection dies mid-statement.
   */
  private static Thread killFirst(ShardDatabases dbs, int i, String kind, int afterRows) throws SQLException {
    try (Connection c = dbs.pool(i).getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SEQUENCE fault_once");
      s.execute("CREATE FUNCTION stall() RETURNS trigger AS $$ BEGIN "
          + "IF (SELECT count(*) FROM orders) >= " + afterRows + " AND nextval('fault_once') = 1 THEN "
          + "PERFORM pg_sleep(20); END IF; RETURN NULL; END $$ LANGUAGE plpgsql");
      s.execute("CREATE TRIGGER stall BEFORE " + kind + " ON orders FOR EACH STATEMENT EXECUTE FUNCTION stall()");
    }
    Thread watcher = new Thread(() -> {
      try (Connection admin = ShardDatabases.admin();
          PreparedStatement find = admin.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
              + "WHERE datname = ? AND wait_event = 'PgSleep'")) {
        find.setString(1, dbs.name(i));
        while (!Thread.currentThread().isInterrupted()) {
          try (ResultSet rs = find.executeQuery()) {
            if (rs.next()) {
              return;
            }
          }
          Thread.sleep(5);
        }
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    watcher.setDaemon(true);
    watcher.start();
    return watcher;
  }

  @Test
  void aConnectionKilledMidCopyRollsBackWithTheReasonReported() throws Exception {
    try (ShardDatabases dbs = new ShardDatabases("killcopy", 5, OrdersResharding.SCHEMA)) {
      ShardRouter<Long, DataSource> router = router(dbs);
      ShardTopology<DataSource> before = router.topology();
      try (OrdersResharding orders = new OrdersResharding(router, CUSTOMERS)) {
        orders.load();
        Thread watcher = killFirst(dbs, 4, "INSERT", 500);
        orders.startWriters(2);
        MigrationReport report = ordersMigrator(Duration.ofSeconds(1))
            .migrate(router, before.withShard(Shard.of("s4", dbs.pool(4))));
        orders.stopWriters();
        watcher.join(5_000);

        assertTrue(report.reason().startsWith("a shard failed"), report.toString());
        assertTrue(!report.outcome().cutOver(), report.toString());
        assertTrue(router.topology() == before, "the router keeps the old topology");
        if (report.outcome() == MigrationReport.Outcome.ROLLED_BACK_CLEANUP_PENDING) {
          assertTrue(ordersMigrator(Duration.ofSeconds(1)).cleanup(router, report.pendingCleanup()).isEmpty());
        }
        assertEquals(0, count(dbs.pool(4)), "no copy is left on s4: " + report);
        orders.assertEveryOrderOnceWhereTheRouterSays(pools(dbs, 4));
        System.out.println("connection killed mid-copy: " + report);
      }
    }
  }

  @Test
  void aConnectionKilledMidCleanupIsReportedAndAResumedCleanupFinishesIt() throws Exception {
    try (ShardDatabases dbs = new ShardDatabases("killclean", 5, OrdersResharding.SCHEMA)) {
      ShardRouter<Long, DataSource> router = router(dbs);
      ShardTopology<DataSource> target = router.topology().withShard(Shard.of("s4", dbs.pool(4)));
      try (OrdersResharding orders = new OrdersResharding(router, CUSTOMERS)) {
        orders.load();
        // s0 deletes only in the cleanup, after the switch.
        Thread watcher = killFirst(dbs, 0, "DELETE", 0);
        orders.startWriters(2);
        JdbcShardMigrator<Long> migrator = ordersMigrator(Duration.ofSeconds(1));
        MigrationReport report = migrator.migrate(router, target);
        watcher.join(5_000);

        assertEquals(MigrationReport.Outcome.CUT_OVER_CLEANUP_PENDING, report.outcome(), report.toString());
        assertTrue(router.topology().shards().size() == 5, "the router uses the new topology");
        assertTrue(!report.pendingCleanup().keysOn("s0").isEmpty(), report.toString());
        PendingCleanup left = migrator.cleanup(router, report.pendingCleanup());
        orders.stopWriters();

        assertTrue(left.isEmpty(), left.toString());
        orders.assertEveryOrderOnceWhereTheRouterSays(pools(dbs, 5));
        System.out.println("connection killed mid-cleanup: " + report + "; resumed cleanup left " + left);
      }
    }
  }

  @Test
  void theWritePauseStaysWithinMaxPauseOverTenMigrations() throws Exception {
    Duration maxPause = Duration.ofMillis(200);
    try (ShardDatabases dbs = new ShardDatabases("pause", 5, OrdersResharding.SCHEMA)) {
      ShardRouter<Long, DataSource> router = router(dbs);
      Shard<DataSource> fifth = Shard.of("s4", dbs.pool(4));
      List<String> runs = new ArrayList<>();
      int completed = 0;
      try (OrdersResharding orders = new OrdersResharding(router, 1_000)) {
        orders.load();
        orders.startWriters(WRITERS);
        for (int run = 0; run < 10; run++) {
          ShardTopology<DataSource> now = router.topology();
          // Grow to five, then shrink back to four: a removal copies onto live shards.
          ShardTopology<DataSource> target = now.shard("s4").isEmpty() ? now.withShard(fifth) : now.withoutShard("s4");
          orders.awaitWrites(100);
          MigrationReport report = ordersMigrator(maxPause).migrate(router, target);
          assertTrue(report.writePause().compareTo(maxPause) <= 0, "run " + run + ": " + report);
          if (report.outcome() == MigrationReport.Outcome.COMPLETED) {
            completed++;
          } else {
            // The only other honest outcomes: the cutover would not fit, or the writers outpaced
            // the catch-up (a loaded machine), and the migration gave up.
            assertEquals(MigrationReport.Outcome.ROLLED_BACK, report.outcome(), report.toString());
            assertTrue(report.reason().contains("did not fit in maxPause")
                || report.reason().contains("did not converge"), report.toString());
          }
          runs.add(TimeUnit.NANOSECONDS.toMicros(report.writePause().toNanos()) / 1000.0 + " ms"
              + (report.outcome().cutOver() ? "" : " (rolled back)") + " in " + report.cutoverAttempts());
        }
        orders.stopWriters();
        orders.assertEveryOrderOnceWhereTheRouterSays(pools(dbs, 5));
      }
      System.out.println("write pause over 10 migrations at maxPause " + maxPause.toMillis()
          + " ms (pause in attempts): " + runs + "; " + completed + " of 10 completed");
      assertTrue(completed >= 5, completed + " of 10 completed: " + runs);
    }
  }

  /** {@code pool}, running {@code first} once, before the first connection is handed out. */
  private static DataSource onFirstConnection(DataSource pool, Runnable first) {
    AtomicBoolean ran = new AtomicBoolean();
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          if (method.getName().equals("getConnection") && !ran.getAndSet(true)) {
            first.run();
          }
          switch (method.getName()) {
            case "hashCode":
              return System.identityHashCode(proxy);
            case "equals":
              return proxy == args[0];
            case "toString":
              return "hooked " + pool;
            default:
              try {
                return method.invoke(pool, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
          }
        });
  }

  /**
   * {@code batch-size} accepts up to 100,000 ("keys per IN list"), but PostgreSQL's protocol
   * carries at most 65,535 bind parameters: a catch-up or verification of more than 65,535 moving
   * keys in one move builds one IN list that the driver refuses, and the migration rolls back.
   */
  @Test
  void theLargestAcceptedBatchSizeWorksOnPostgres() throws Exception {
    try (ShardDatabases dbs = new ShardDatabases("batch_limit", 2,
        "CREATE TABLE points (id bigint PRIMARY KEY, score bigint NOT NULL)")) {
      List<ShardRouter<Long, DataSource>> holder = new ArrayList<>();
      ShardRouter<Long, DataSource> router = ShardRouter.<Long, DataSource>builder()
          .shard("s0", onFirstConnection(dbs.pool(0), () -> {
            // The application writes 160,000 keys while the copy starts (no-op writes: only the
            // tracking matters here).
            for (long id = 0; id < 160_000; id++) {
              holder.get(0).write(id, shard -> null);
            }
          })).build();
      holder.add(router);
      try (Connection c = dbs.pool(0).getConnection(); Statement s = c.createStatement()) {
        s.execute("INSERT INTO points SELECT g, 0 FROM generate_series(0, 99) g");
      }
      ShardTopology<DataSource> target = router.topology().withShard(Shard.of("s1", dbs.pool(1)));
      ReshardingPlan<DataSource> plan = ReshardingPlan.plan(router.topology(), target);
      long moving = LongStream.range(0, 160_000).filter(id -> plan.moves(router.hashOf(id))).count();
      assertTrue(moving > 65_535, moving + " moving keys");

      MigrationReport report = JdbcShardMigrator.<Long>builder().table("points").keyColumn("id")
          .columns(List.of("score")).batchSize(100_000).build().migrate(router, target);

      assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
    }
  }

  /**
   * A {@code char(n)} key column: PostgreSQL returns {@code bpchar} values padded to n, the
   * application routes by the unpadded key, the migrator hashes the padded value.
   */
  @Test
  void aCharKeyColumnKeepsEveryRowWhereTheRouterLooksForIt() throws Exception {
    try (ShardDatabases dbs = new ShardDatabases("char_key", 3,
        "CREATE TABLE accounts (code char(12) PRIMARY KEY, balance bigint NOT NULL)")) {
      ShardRouter<String, DataSource> router = ShardRouter.<String, DataSource>builder()
          .shard("s0", dbs.pool(0)).shard("s1", dbs.pool(1)).build();
      List<String> codes = LongStream.range(0, 300).mapToObj(i -> "acct-" + i).toList();
      for (String code : codes) {
        try (Connection c = router.resourceFor(code).getConnection();
            PreparedStatement s = c.prepareStatement("INSERT INTO accounts VALUES (?, 100)")) {
          s.setString(1, code);
          s.executeUpdate();
        }
      }
      MigrationReport report = JdbcShardMigrator.<String>builder().table("accounts").keyColumn("code")
          .columns(List.of("balance")).build()
          .migrate(router, router.topology().withShard(Shard.of("s2", dbs.pool(2))));

      List<String> missing = new ArrayList<>();
      for (String code : codes) {
        try (Connection c = router.resourceFor(code).getConnection();
            PreparedStatement s = c.prepareStatement("SELECT count(*) FROM accounts WHERE RTRIM(code) = ?")) {
          s.setString(1, code);
          try (ResultSet rs = s.executeQuery()) {
            rs.next();
            if (rs.getLong(1) != 1) {
              missing.add(code);
            }
          }
        }
      }
      assertEquals(List.of(), missing, report.outcome() + " (" + report + "): " + missing.size()
          + " of 300 accounts are not on the shard the router names");
    }
  }

  /**
   * An {@code xml} column: the driver returns a {@code PgSQLXML}, which the checksum encodes by
   * class name and {@code toString()} (its identity), so no key ever verifies.
   */
  @Test
  void aTableWithAnXmlColumnCanBeMigrated() throws Exception {
    try (ShardDatabases dbs = new ShardDatabases("xml_column", 3,
        "CREATE TABLE docs (id bigint PRIMARY KEY, body xml)")) {
      ShardRouter<Long, DataSource> router = ShardRouter.<Long, DataSource>builder()
          .shard("s0", dbs.pool(0)).shard("s1", dbs.pool(1)).build();
      for (long id = 0; id < 200; id++) {
        try (Connection c = router.resourceFor(id).getConnection();
            PreparedStatement s = c.prepareStatement("INSERT INTO docs VALUES (?, XMLPARSE(CONTENT ?))")) {
          s.setLong(1, id);
          s.setString(2, "<doc id=\"" + id + "\"/>");
          s.executeUpdate();
        }
      }
      MigrationReport report = JdbcShardMigrator.<Long>builder().table("docs").keyColumn("id")
          .columns(List.of("body")).build()
          .migrate(router, router.topology().withShard(Shard.of("s2", dbs.pool(2))));

      assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
    }
  }

  /** {@code source}, passing the SQL of every statement it prepares to {@code hook} first. */
  private static DataSource hooked(DataSource source, java.util.function.Consumer<String> hook) {
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "hashCode":
              return System.identityHashCode(proxy);
            case "equals":
              return proxy == args[0];
            case "toString":
              return "hooked " + source;
            case "getConnection": {
              Connection real = (Connection) invoke(method, source, args);
              return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                  (p, m, a) -> {
                    if (m.getName().equals("prepareStatement") && a != null && a[0] instanceof String sql) {
                      hook.accept(sql);
                    }
                    return invoke(m, real, a);
                  });
            }
            default:
              return invoke(method, source, args);
          }
        });
  }

  private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static DataSource unspecifiedStrings(ShardDatabases dbs, int i) {
    org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
    ds.setUrl(ShardDatabases.url(dbs.name(i)));
    ds.setUser(io.scaleblocks.testkit.ServerAddresses.pgUser());
    ds.setPassword(io.scaleblocks.testkit.ServerAddresses.pgPassword());
    ds.setStringType("unspecified");
    return ds;
  }

  /**
   * String router keys over a {@code uuid} key column, with the common {@code stringtype=unspecified}
   * connection setting (so PostgreSQL accepts a text parameter for a uuid). One moving account
   * is updated through the router after the verification's last full scan: the catch-up reads it
   * back keyed by {@code java.util.UUID}, looks it up by the String, finds no rows, deletes the
   * copy on the new shard, verifies nothing against nothing, switches and deletes the old row.
   */
  @Test
  void aUuidColumnWithStringRouterKeysLosesNoRowWrittenDuringTheMigration() throws Exception {
    try (ShardDatabases dbs = new ShardDatabases("uuid_key", 3,
        "CREATE TABLE accounts (id uuid PRIMARY KEY, balance bigint NOT NULL)")) {
      List<String> ids = LongStream.range(0, 300).mapToObj(i -> new java.util.UUID(0x5eed, i).toString()).toList();
      List<ShardRouter<String, DataSource>> holder = new ArrayList<>();
      AtomicBoolean written = new AtomicBoolean();
      String[] moving = new String[1];
      DataSource s2 = hooked(unspecifiedStrings(dbs, 2), sql -> {
        if (sql.startsWith("SELECT") && sql.contains("ORDER BY") && !written.getAndSet(true)) {
          try {
            holder.get(0).write(moving[0], shard -> {
              try (Connection c = shard.resource().getConnection();
                  PreparedStatement s = c.prepareStatement("UPDATE accounts SET balance = 777 WHERE id = ?")) {
                s.setString(1, moving[0]);
                return s.executeUpdate();
              }
            });
          } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
          }
        }
      });
      ShardRouter<String, DataSource> router = ShardRouter.<String, DataSource>builder()
          .shard("s0", unspecifiedStrings(dbs, 0)).shard("s1", unspecifiedStrings(dbs, 1)).build();
      holder.add(router);
      for (String id : ids) {
        try (Connection c = router.resourceFor(id).getConnection();
            PreparedStatement s = c.prepareStatement("INSERT INTO accounts VALUES (?, 100)")) {
          s.setString(1, id);
          s.executeUpdate();
        }
      }
      ShardTopology<DataSource> target = router.topology().withShard(Shard.of("s2", s2));
      moving[0] = ids.stream().filter(id -> target.shardForHash(router.hashOf(id)).id().equals("s2"))
          .findFirst().orElseThrow();

      MigrationReport report = JdbcShardMigrator.<String>builder().table("accounts").keyColumn("id")
          .columns(List.of("balance")).build().migrate(router, target);

      assertTrue(written.get(), "the write ran during the migration");
      List<String> missing = new ArrayList<>();
      for (String id : ids) {
        try (Connection c = router.resourceFor(id).getConnection();
            PreparedStatement s = c.prepareStatement("SELECT count(*) FROM accounts WHERE id = ?")) {
          s.setString(1, id);
          try (ResultSet rs = s.executeQuery()) {
            rs.next();
            if (rs.getLong(1) != 1) {
              missing.add(id);
            }
          }
        }
      }
      assertEquals(List.of(), missing, report.outcome() + " (" + report + ") but these accounts are on no"
          + " shard the router names (the updated one was " + moving[0] + ")");
    }
  }

  /**
   * README, "Bad input fails fast with the value named: null keys". PostgreSQL sorts NULLs last:
   * a NULL in the key column makes the migration roll back with a bare NullPointerException when
   * the shard fits in one page (the first page has no {@code WHERE key > ?}), and is silently
   * skipped when it does not (every later page's {@code key > ?} excludes NULL). The same table
   * gets a different outcome depending only on {@code batchSize}.
   */
  @Test
  void aNullKeyGetsTheSameOutcomeWhateverTheBatchSize() throws Exception {
    List<MigrationReport.Outcome> outcomes = new ArrayList<>();
    for (int batchSize : new int[] {100, 10_000}) {
      try (ShardDatabases dbs = new ShardDatabases("null_key", 2,
          "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total bigint NOT NULL)")) {
        ShardRouter<Long, DataSource> router = ShardRouter.<Long, DataSource>builder().shard("s0", dbs.pool(0)).build();
        try (Connection c = dbs.pool(0).getConnection(); Statement s = c.createStatement()) {
          s.execute("INSERT INTO orders SELECT g, g, 1 FROM generate_series(0, 999) g");
          s.execute("INSERT INTO orders VALUES (999999, NULL, 1)");
        }
        MigrationReport report = JdbcShardMigrator.<Long>builder().table("orders").keyColumn("customer_id")
            .columns(List.of("id", "total")).batchSize(batchSize).build()
            .migrate(router, router.topology().withShard(Shard.of("s1", dbs.pool(1))));
        outcomes.add(report.outcome());
      }
    }
    assertEquals(outcomes.get(0), outcomes.get(1), "batch size 100 gave " + outcomes.get(0)
        + ", batch size 10000 gave " + outcomes.get(1) + " for the same table with one NULL key");
  }

  /**
   * Modern PostgreSQL tables get their ids from an identity column ({@code GENERATED ALWAYS AS
   * IDENTITY}, values the database refuses to take from an INSERT) and may carry a stored
   * generated column. The default migrator (every column) must move such a table keeping each
   * row's id, and the generated column must come out computed as before.
   */
  @Test
  void aTableWithAnIdentityAndAGeneratedColumnMovesKeepingItsIds() throws Exception {
    try (ShardDatabases dbs = new ShardDatabases("identity", 3,
        "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint NOT NULL,"
            + " total bigint NOT NULL, doubled bigint GENERATED ALWAYS AS (total * 2) STORED)")) {
      ShardRouter<Long, DataSource> router = ShardRouter.<Long, DataSource>builder()
          .shard("s0", dbs.pool(0)).shard("s1", dbs.pool(1)).build();
      for (long customer = 0; customer < 300; customer++) {
        try (Connection c = router.shardFor(customer).resource().getConnection();
            PreparedStatement s = c.prepareStatement(
                "INSERT INTO orders (id, customer_id, total) OVERRIDING SYSTEM VALUE VALUES (?, ?, ?)")) {
          for (int order = 0; order < 2; order++) {
            s.setLong(1, customer * 2 + order);
            s.setLong(2, customer);
            s.setLong(3, customer + order);
            s.addBatch();
          }
          s.executeBatch();
        }
      }

      MigrationReport report = JdbcShardMigrator.<Long>builder().name("identity-migrator").table("orders")
          .keyColumn("customer_id").build()
          .migrate(router, router.topology().withShard(Shard.of("s2", dbs.pool(2))));

      assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
      assertTrue(report.rowsCopied() > 0, report.toString());
      Map<Long, String> seen = new HashMap<>();
      for (int i = 0; i < 3; i++) {
        try (Connection c = dbs.pool(i).getConnection(); Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT id, customer_id, total, doubled FROM orders")) {
          while (rs.next()) {
            long id = rs.getLong(1);
            long customer = rs.getLong(2);
            assertEquals(customer, id / 2, "order " + id + " keeps its id");
            assertEquals(customer + id % 2, rs.getLong(3));
            assertEquals(2 * rs.getLong(3), rs.getLong(4));
            assertEquals(router.shardFor(customer).id(), "s" + i);
            assertEquals(null, seen.put(id, "s" + i), "order " + id + " once");
          }
        }
      }
      assertEquals(600, seen.size());
    }
  }
}
