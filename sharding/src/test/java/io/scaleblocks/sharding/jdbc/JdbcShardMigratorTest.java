package io.scaleblocks.sharding.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.scaleblocks.sharding.Shard;
import io.scaleblocks.sharding.ShardRouter;
import io.scaleblocks.sharding.ShardTopology;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The migrator on in-memory H2 shards, with faults and concurrent changes at exact steps. */
class JdbcShardMigratorTest {

  static final String ORDERS =
      "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total bigint NOT NULL)";

  private static <K> ShardRouter<K, DataSource> router(H2Shards dbs, int shards) {
    ShardRouter.Builder<K, DataSource> builder = ShardRouter.builder();
    for (int i = 0; i < shards; i++) {
      builder.shard("s" + i, dbs.dataSource(i));
    }
    return builder.name("orders-router").build();
  }

  private static JdbcShardMigrator<Long> ordersMigrator(int batchSize) {
    return JdbcShardMigrator.<Long>builder().name("orders-migrator").table("orders")
        .keyColumn("customer_id").columns(List.of("id", "total")).batchSize(batchSize).build();
  }

  /** Three orders for each of {@code customers} customers, on the shard of their customer. */
  private static void loadOrders(H2Shards dbs, ShardRouter<Long, DataSource> router, int customers)
      throws SQLException {
    for (long customer = 0; customer < customers; customer++) {
      int shard = Integer.parseInt(router.shardFor(customer).id().substring(1));
      try (Connection c = dbs.connect(shard);
          PreparedStatement s = c.prepareStatement("INSERT INTO orders VALUES (?, ?, ?)")) {
        for (int order = 0; order < 3; order++) {
          s.setLong(1, customer * 3 + order);
          s.setLong(2, customer);
          s.setLong(3, 10 * order + customer);
          s.addBatch();
        }
        s.executeBatch();
      }
    }
  }

  /** Order id to the shards it sits on, with each order's customer checked against its shard. */
  private static Map<Long, List<String>> ordersByShard(H2Shards dbs, int shards,
      ShardRouter<Long, DataSource> router) throws SQLException {
    Map<Long, List<String>> where = new HashMap<>();
    for (int i = 0; i < shards; i++) {
      try (Connection c = dbs.connect(i); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT id, customer_id FROM orders")) {
        while (rs.next()) {
          where.computeIfAbsent(rs.getLong(1), id -> new ArrayList<>()).add("s" + i);
          assertEquals(router.shardFor(rs.getLong(2)).id(), "s" + i,
              "order " + rs.getLong(1) + " of customer " + rs.getLong(2) + " sits on s" + i);
        }
      }
    }
    return where;
  }

  @Test
  void aNonUniqueKeyColumnMovesEveryRowOfEveryKey() throws Exception {
    try (H2Shards dbs = new H2Shards(5, ORDERS)) {
      ShardRouter<Long, DataSource> router = router(dbs, 4);
      loadOrders(dbs, router, 2_000);
      ShardTopology<DataSource> target = router.topology().withShard(Shard.of("s4", dbs.dataSource(4)));

      // 100 rows a page: most page boundaries fall inside a customer's three orders.
      MigrationReport report = ordersMigrator(100).migrate(router, target);

      assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
      Map<Long, List<String>> where = ordersByShard(dbs, 5, router);
      assertEquals(6_000, where.size(), "every order is still there");
      where.forEach((id, shards) -> assertEquals(1, shards.size(), "order " + id + " on " + shards));
    }
  }

  @Test
  void aTableWithABinaryColumnVerifiesAndMoves() throws Exception {
    try (H2Shards dbs = new H2Shards(3,
        "CREATE TABLE blobs (id bigint PRIMARY KEY, data varbinary(64), amount decimal(10, 2))")) {
      ShardRouter<Long, DataSource> router = router(dbs, 2);
      for (long id = 0; id < 500; id++) {
        int shard = Integer.parseInt(router.shardFor(id).id().substring(1));
        try (Connection c = dbs.connect(shard);
            PreparedStatement s = c.prepareStatement("INSERT INTO blobs VALUES (?, ?, ?)")) {
          s.setLong(1, id);
          s.setBytes(2, new byte[] {(byte) id, (byte) (id >> 8), 7});
          s.setBigDecimal(3, java.math.BigDecimal.valueOf(id, 2));
          s.executeUpdate();
        }
      }
      MigrationReport report = JdbcShardMigrator.<Long>builder().table("blobs").keyColumn("id")
          .columns(List.of("data", "amount")).build()
          .migrate(router, router.topology().withShard(Shard.of("s2", dbs.dataSource(2))));

      assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
      assertTrue(report.rowsCopied() > 0, report.toString());
    }
  }

  @Test
  void anIntegerKeyColumnMatchesTheLongKeysTheRouterTracks() throws Exception {
    try (H2Shards dbs = new H2Shards(3,
        "CREATE TABLE points (id integer PRIMARY KEY, score bigint NOT NULL)")) {
      ShardRouter<Long, DataSource> router = router(dbs, 2);
      for (long id = 0; id < 300; id++) {
        int shard = Integer.parseInt(router.shardFor(id).id().substring(1));
        try (Connection c = dbs.connect(shard);
            PreparedStatement s = c.prepareStatement("INSERT INTO points VALUES (?, 0)")) {
          s.setLong(1, id);
          s.executeUpdate();
        }
      }
      ShardTopology<DataSource> target = router.topology().withShard(Shard.of("s2", dbs.dataSource(2)));
      long moved = LongStream.range(0, 300)
          .filter(id -> router.shardFor(id).id().equals("s0"))
          .filter(id -> target.shardForHash(router.hashOf(id)).id().equals("s2")).findFirst().orElseThrow();
      // Once both old shards' copies have landed on s2, the verification's scan of s0 finds the
      // moved row just written by the application: the write explains the difference between the
      // row and its copy, so it must not count as a failed copy.
      AtomicInteger inserts = new AtomicInteger();
      AtomicBoolean written = new AtomicBoolean();
      dbs.hook(2, sql -> {
        if (sql.startsWith("INSERT")) {
          inserts.incrementAndGet();
        }
      });
      dbs.hook(0, sql -> {
        if (sql.startsWith("SELECT") && sql.contains("ORDER BY") && inserts.get() == 2
            && !written.getAndSet(true)) {
          writeScore(router, moved, 42);
        }
      });
      MigrationReport report = JdbcShardMigrator.<Long>builder().table("points").keyColumn("id")
          .columns(List.of("score")).catchUpThreshold(0).build().migrate(router, target);

      assertTrue(written.get(), "the write ran during the migration");
      assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
      try (Connection c = dbs.connect(2); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT score FROM points WHERE id = " + moved)) {
        assertTrue(rs.next());
        assertEquals(42, rs.getLong(1), "the write made during the migration is on the new shard");
      }
    }
  }

  private static void writeScore(ShardRouter<Long, DataSource> router, long id, long score) {
    Thread writer = new Thread(() -> {
      try {
        router.write(id, shard -> {
          try (Connection c = shard.resource().getConnection();
              PreparedStatement s = c.prepareStatement("UPDATE points SET score = ? WHERE id = ?")) {
            s.setLong(1, score);
            s.setLong(2, id);
            return s.executeUpdate();
          }
        });
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    writer.start();
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aPinMadeDuringTheMigrationIsKeptAtTheSwitch() throws Exception {
    try (H2Shards dbs = new H2Shards(5, ORDERS)) {
      ShardRouter<Long, DataSource> router = router(dbs, 4);
      loadOrders(dbs, router, 500);
      ShardTopology<DataSource> target = router.topology().withShard(Shard.of("s4", dbs.dataSource(4)));
      AtomicBoolean pinned = new AtomicBoolean();
      dbs.hook(4, sql -> {
        if (sql.startsWith("INSERT") && !pinned.getAndSet(true)) {
          router.pin(7L, "s1");
        }
      });
      MigrationReport report = ordersMigrator(100).migrate(router, target);

      assertTrue(pinned.get());
      assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
      assertEquals("s1", router.shardFor(7L).id(), "the pin made during the migration routes key 7");
      assertEquals(Map.of(router.hashOf(7L), "s1"), router.topology().pins());
      assertEquals(List.of("s0", "s1", "s2", "s3", "s4"),
          router.topology().shards().stream().map(Shard::id).toList());
    }
  }

  @Test
  void aShardRemovedDuringTheMigrationRefusesTheSwitchAndKeepsTheRemoval() throws Exception {
    try (H2Shards dbs = new H2Shards(5, ORDERS)) {
      ShardRouter<Long, DataSource> router = router(dbs, 4);
      loadOrders(dbs, router, 500);
      ShardTopology<DataSource> target = router.topology().withShard(Shard.of("s4", dbs.dataSource(4)));
      AtomicBoolean changed = new AtomicBoolean();
      dbs.hook(4, sql -> {
        if (sql.startsWith("INSERT") && !changed.getAndSet(true)) {
          router.update(t -> t.withoutShard("s3"));
        }
      });
      MigrationReport report = ordersMigrator(100).migrate(router, target);
      ShardTopology<DataSource> after = router.topology();

      assertEquals(MigrationReport.Outcome.ROLLED_BACK, report.outcome(), report.toString());
      assertEquals(List.of("s0", "s1", "s2"), after.shards().stream().map(Shard::id).toList(),
          "the concurrent removal stands");
      try (Connection c = dbs.connect(4); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
        rs.next();
        assertEquals(0, rs.getLong(1), "the copies were deleted again");
      }
      assertSame(after, router.topology());
    }
  }

  private static long orderCount(H2Shards dbs, int shards) throws SQLException {
    long count = 0;
    for (int i = 0; i < shards; i++) {
      try (Connection c = dbs.connect(i); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
        rs.next();
        count += rs.getLong(1);
      }
    }
    return count;
  }

  @Test
  void aCleanupFailureAfterTheSwitchIsReportedAndAResumedCleanupFinishesIt() throws Exception {
    try (H2Shards dbs = new H2Shards(5, ORDERS)) {
      ShardRouter<Long, DataSource> router = router(dbs, 4);
      loadOrders(dbs, router, 1_000);
      ShardTopology<DataSource> target = router.topology().withShard(Shard.of("s4", dbs.dataSource(4)));
      // s0 only ever deletes in the cleanup, after the switch.
      dbs.hook(0, sql -> {
        if (sql.startsWith("DELETE")) {
          throw new SQLException("connection reset (injected)", "08006");
        }
      });
      JdbcShardMigrator<Long> migrator = ordersMigrator(100);
      MigrationReport report = migrator.migrate(router, target);

      assertEquals(MigrationReport.Outcome.CUT_OVER_CLEANUP_PENDING, report.outcome(), report.toString());
      assertTrue(report.reason().contains("connection reset (injected)"), report.reason());
      assertSame(target, router.topology(), "the router uses the new topology");
      PendingCleanup left = report.pendingCleanup();
      assertTrue(!left.keysOn("s0").isEmpty(), left.toString());
      assertTrue(left.keysOn("s1").isEmpty(), "the other shards were cleaned: " + left);
      assertTrue(orderCount(dbs, 5) > 3_000, "s0's moved orders are still there too");

      assertEquals(left, migrator.cleanup(router, left), "a cleanup while s0 still fails leaves it all");
      dbs.clearHooks();
      assertTrue(migrator.cleanup(router, left).isEmpty());
      assertEquals(3_000, orderCount(dbs, 5));
      assertEquals(3_000, ordersByShard(dbs, 5, router).size());
    }
  }

  @Test
  void aShardFailingMidCopyRollsBackAndReportsIt() throws Exception {
    try (H2Shards dbs = new H2Shards(5, ORDERS)) {
      ShardRouter<Long, DataSource> router = router(dbs, 4);
      loadOrders(dbs, router, 1_000);
      ShardTopology<DataSource> before = router.topology();
      AtomicInteger inserts = new AtomicInteger();
      dbs.hook(4, sql -> {
        if (sql.startsWith("INSERT") && inserts.incrementAndGet() == 3) {
          throw new SQLException("connection reset (injected)", "08006");
        }
      });
      MigrationReport report = ordersMigrator(100).migrate(router, before.withShard(Shard.of("s4", dbs.dataSource(4))));

      assertEquals(MigrationReport.Outcome.ROLLED_BACK, report.outcome(), report.toString());
      assertTrue(report.reason().startsWith("a shard failed"), report.reason());
      assertSame(before, router.topology());
      assertEquals(3_000, orderCount(dbs, 5), "the copies are gone again");
      assertEquals(3_000, ordersByShard(dbs, 5, router).size());
    }
  }

  @Test
  void theWritePauseStaysWithinMaxPauseWhenTheNewShardIsSlow() throws Exception {
    try (H2Shards dbs = new H2Shards(5, ORDERS)) {
      ShardRouter<Long, DataSource> router = router(dbs, 4);
      loadOrders(dbs, router, 500);
      // Every statement on the new shard takes 15 ms: a cutover over four moves needs ~200 ms.
      dbs.hook(4, sql -> sleep(15));
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger nextOrder = new AtomicInteger(1_000_000);
      Thread writer = new Thread(() -> {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        while (running.get()) {
          long customer = random.nextLong(500);
          try {
            router.write(customer, shard -> {
              try (Connection c = shard.resource().getConnection();
                  PreparedStatement s = c.prepareStatement("INSERT INTO orders VALUES (?, ?, 1)")) {
                s.setLong(1, nextOrder.incrementAndGet());
                s.setLong(2, customer);
                return s.executeUpdate();
              }
            });
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
          sleep(2);
        }
      });
      writer.start();
      java.time.Duration maxPause = java.time.Duration.ofMillis(100);
      MigrationReport report;
      try {
        report = JdbcShardMigrator.<Long>builder().table("orders").keyColumn("customer_id")
            .columns(List.of("id", "total")).batchSize(100).maxPause(maxPause).build()
            .migrate(router, router.topology().withShard(Shard.of("s4", dbs.dataSource(4))));
      } finally {
        running.set(false);
        writer.join();
      }
      // The bound rests on the slowest step seen so far: one step that overruns its estimate
      // (a stalled thread on a loaded machine) can push the pause past maxPause, never far.
      assertTrue(report.writePause().compareTo(maxPause.multipliedBy(2)) <= 0, report.toString());
      assertTrue(report.cutoverAttempts() >= 1, report.toString());
      if (report.outcome() == MigrationReport.Outcome.ROLLED_BACK) {
        assertTrue(report.reason().contains("maxPause"), report.toString());
      } else {
        assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
      }
      long orders = 500 * 3 + (nextOrder.get() - 1_000_000);
      assertEquals(orders, orderCount(dbs, 5), "no order lost or duplicated: " + report);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int index(Shard<?> shard) {
    return Integer.parseInt(shard.id().substring(1));
  }

  private static long count(H2Shards dbs, int shard, String sql, Object key) throws SQLException {
    try (Connection c = dbs.connect(shard); PreparedStatement s = c.prepareStatement(sql)) {
      s.setObject(1, key);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * A key pinned to the shard its placement already names (a redundant pin, as
   * {@code HotKeyActions.pinTo} makes for a hot key that lives on the celebrity shard) does not
   * move in the plan. Unpinning it during the migration is harmless in the old topology (it
   * routes to the same shard), but the switch carries the unpin over ({@code ShardTopology.rebase})
   * and so routes the key to its new placement shard, where none of its rows were copied.
   */
  @Test
  void anUnpinDuringTheMigrationMustNotRouteAKeyToAShardWithoutItsRows() throws Exception {
    try (H2Shards dbs = new H2Shards(5, ORDERS)) {
      ShardRouter<Long, DataSource> router = router(dbs, 4);
      loadOrders(dbs, router, 500);
      ShardTopology<DataSource> unpinnedTarget = router.topology().withShard(Shard.of("s4", dbs.dataSource(4)));
      long customer = LongStream.range(0, 500)
          .filter(c -> unpinnedTarget.shardForHash(router.hashOf(c)).id().equals("s4"))
          .findFirst().orElseThrow();
      String home = router.shardFor(customer).id();
      router.pin(customer, home);
      ShardTopology<DataSource> target = router.topology().withShard(Shard.of("s4", dbs.dataSource(4)));
      AtomicBoolean unpinned = new AtomicBoolean();
      dbs.hook(4, sql -> {
        if (sql.startsWith("INSERT") && !unpinned.getAndSet(true)) {
          assertEquals(home, router.shardFor(customer).id(), "unpinning changes nothing in the old topology");
          router.unpin(customer);
          assertEquals(home, router.shardFor(customer).id(), "unpinning changes nothing in the old topology");
        }
      });

      MigrationReport report = ordersMigrator(100).migrate(router, target);

      assertTrue(unpinned.get());
      if (report.outcome() == MigrationReport.Outcome.COMPLETED) {
        Shard<DataSource> now = router.shardFor(customer);
        assertEquals(3, count(dbs, index(now), "SELECT count(*) FROM orders WHERE customer_id = ?", customer),
            "customer " + customer + " was on " + home + ", is now routed to " + now.id()
                + " after a COMPLETED migration (" + report + "), but its orders are not there");
      }
    }
  }

  /**
   * The README: the migrator "verifies a checksum of each key's rows (murmur3 over every column by
   * content ...)". It checksums and copies only the columns it was given; a column the
   * configuration does not list (one added to the table later, or {@code columns} left at its
   * default of none) is silently lost on every moved row, and the report says COMPLETED.
   */
  @Test
  void aColumnMissingFromTheConfigurationIsNotSilentlyDropped() throws Exception {
    try (H2Shards dbs = new H2Shards(5, "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint"
        + " NOT NULL, total bigint NOT NULL, note varchar(40))")) {
      ShardRouter<Long, DataSource> router = router(dbs, 4);
      for (long customer = 0; customer < 300; customer++) {
        try (Connection c = dbs.connect(index(router.shardFor(customer)));
            PreparedStatement s = c.prepareStatement("INSERT INTO orders VALUES (?, ?, ?, ?)")) {
          s.setLong(1, customer);
          s.setLong(2, customer);
          s.setLong(3, customer * 10);
          s.setString(4, "gift wrap " + customer);
          s.executeUpdate();
        }
      }
      MigrationReport report;
      try {
        report = ordersMigrator(100).migrate(router, router.topology().withShard(Shard.of("s4", dbs.dataSource(4))));
      } catch (IllegalArgumentException | IllegalStateException refused) {
        return; // refusing a column list that leaves columns out is a fix too
      }

      if (report.outcome() == MigrationReport.Outcome.COMPLETED) {
        List<Long> lost = new ArrayList<>();
        for (long customer = 0; customer < 300; customer++) {
          if (count(dbs, index(router.shardFor(customer)),
              "SELECT count(*) FROM orders WHERE customer_id = ? AND note IS NOT NULL", customer) != 1) {
            lost.add(customer);
          }
        }
        assertEquals(List.of(), lost, "COMPLETED (" + report + ") but these customers' note column was"
            + " lost: " + lost.size() + " of 300");
      }
    }
  }

  /**
   * A CHAR(n) key column: the driver returns the value padded to n, the application routes by the
   * unpadded key. The migrator hashes the padded value, so its idea of which shard owns a row
   * disagrees with the router's: rows the old topology "does not place here" are skipped without
   * a word, moving keys are never copied, and the report says COMPLETED.
   */
  @Test
  void aCharKeyColumnKeepsEveryRowWhereTheRouterLooksForIt() throws Exception {
    try (H2Shards dbs = new H2Shards(5, "CREATE TABLE accounts (code char(12) PRIMARY KEY, balance bigint NOT NULL)")) {
      ShardRouter<String, DataSource> router = router(dbs, 4);
      List<String> codes = LongStream.range(0, 400).mapToObj(i -> "acct-" + i).toList();
      for (String code : codes) {
        try (Connection c = dbs.connect(index(router.shardFor(code)));
            PreparedStatement s = c.prepareStatement("INSERT INTO accounts VALUES (?, 100)")) {
          s.setString(1, code);
          s.executeUpdate();
        }
      }
      MigrationReport report;
      try {
        report = JdbcShardMigrator.<String>builder().table("accounts").keyColumn("code")
            .columns(List.of("balance")).build()
            .migrate(router, router.topology().withShard(Shard.of("s4", dbs.dataSource(4))));
      } catch (IllegalArgumentException | IllegalStateException refused) {
        return; // refusing a key mapping that does not round-trip is a fix too
      }

      if (report.outcome() == MigrationReport.Outcome.COMPLETED) {
        List<String> missing = new ArrayList<>();
        for (String code : codes) {
          if (count(dbs, index(router.shardFor(code)), "SELECT count(*) FROM accounts WHERE RTRIM(code) = ?", code) != 1) {
            missing.add(code);
          }
        }
        assertEquals(List.of(), missing, "COMPLETED (" + report + ") but " + missing.size()
            + " of 400 accounts are not on the shard the router names");
      }
    }
  }

  /**
   * A statement that stalls while writes are paused (a hung backend, a lock wait) holds every
   * write of the application, on every shard, for as long as it stalls: the migrator sets no query
   * timeout on its statements, so nothing bounds the pause by {@code maxPause}.
   */
  @Test
  void aStallDuringThePauseDoesNotHoldWritesFarPastMaxPause() throws Exception {
    // Whether the stall falls inside a pause depends on thread scheduling (a pause may last 3 ms):
    // a migration in which it did not is run again, up to five times.
    for (int run = 1; run <= 5; run++) {
      if (stallDuringThePause()) {
        return;
      }
    }
    fail("in five migrations the backend's stall never fell inside a write pause");
  }

  /** One migration with a 2 s stall of the new shard; false if the stall missed every pause. */
  private boolean stallDuringThePause() throws Exception {
    try (H2Shards dbs = new H2Shards(5, ORDERS)) {
      ShardRouter<Long, DataSource> router = router(dbs, 4);
      loadOrders(dbs, router, 500);
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger nextOrder = new AtomicInteger(1_000_000);
      Thread writer = new Thread(() -> {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        while (running.get()) {
          long customer = random.nextLong(500);
          try {
            router.write(customer, shard -> {
              try (Connection c = shard.resource().getConnection();
                  PreparedStatement s = c.prepareStatement("INSERT INTO orders VALUES (?, ?, 1)")) {
                s.setLong(1, nextOrder.incrementAndGet());
                s.setLong(2, customer);
                return s.executeUpdate();
              }
            });
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
          sleep(2);
        }
      }, "order-writer");
      // Passes the write gate back to back, so that every pause holds it at once: the stall
      // below then reliably falls inside a pause, however short.
      Thread gateProbe = new Thread(() -> {
        while (running.get()) {
          router.write(0L, shard -> null);
        }
      }, "gate-probe");
      AtomicBoolean stalled = new AtomicBoolean();
      dbs.hook(4, sql -> {
        if (!stalled.get() && (heldByThePause(gateProbe) || heldByThePause(writer)) && !stalled.getAndSet(true)) {
          sleep(2_000); // the new shard's backend hangs for 2 s while writes are paused
        }
      });
      writer.start();
      gateProbe.start();
      Duration maxPause = Duration.ofMillis(200);
      MigrationReport report;
      try {
        report = JdbcShardMigrator.<Long>builder().table("orders").keyColumn("customer_id")
            .columns(List.of("id", "total")).batchSize(100).maxPause(maxPause).build()
            .migrate(router, router.topology().withShard(Shard.of("s4", dbs.dataSource(4))));
      } finally {
        running.set(false);
        writer.join();
        gateProbe.join();
      }
      if (!stalled.get()) {
        return false;
      }
      assertTrue(report.writePause().compareTo(maxPause.multipliedBy(2)) <= 0,
          "writes were held " + report.writePause().toMillis() + " ms at maxPause " + maxPause.toMillis()
              + " ms: " + report);
      return true;
    }
  }

  /**
   * String router keys over a UUID key column (the application routes by the UUID's text; the
   * database coerces a text parameter to uuid, as H2 does and PostgreSQL does with
   * {@code stringtype=unspecified}). The tracker yields the key as a String, the driver returns it
   * as a {@code java.util.UUID}; {@code ShardTable.read} keys its result by the canonical database
   * value and the catch-up looks it up by the canonical String, finds "no rows", and so deletes the
   * key's copy on the new shard. The verification of that key compares nothing with nothing and
   * passes, the switch happens and the cleanup deletes the old rows: the account is gone.
   */
  @Test
  void aKeyWrittenAfterTheVerificationScanIsNotLostWhenTheColumnTypeDiffersFromTheRouterKey()
      throws Exception {
    try (H2Shards dbs = new H2Shards(5, "CREATE TABLE accounts (id uuid PRIMARY KEY, balance bigint NOT NULL)")) {
      ShardRouter<String, DataSource> router = router(dbs, 4);
      List<String> ids = LongStream.range(0, 300)
          .mapToObj(i -> new java.util.UUID(0x5eed, i).toString()).toList();
      for (String id : ids) {
        try (Connection c = dbs.connect(index(router.shardFor(id)));
            PreparedStatement s = c.prepareStatement("INSERT INTO accounts VALUES (?, 100)")) {
          s.setObject(1, java.util.UUID.fromString(id));
          s.executeUpdate();
        }
      }
      ShardTopology<DataSource> target = router.topology().withShard(Shard.of("s4", dbs.dataSource(4)));
      String moving = ids.stream().filter(id -> target.shardForHash(router.hashOf(id)).id().equals("s4"))
          .findFirst().orElseThrow();
      AtomicBoolean written = new AtomicBoolean();
      // The verification's scan of the new shard is the last full scan; the application then
      // updates one moving account (through the router, committed inside write).
      dbs.hook(4, sql -> {
        if (sql.startsWith("SELECT") && sql.contains("ORDER BY") && !written.getAndSet(true)) {
          router.write(moving, shard -> {
            try (Connection c = shard.resource().getConnection();
                PreparedStatement s = c.prepareStatement("UPDATE accounts SET balance = 777 WHERE id = ?")) {
              s.setString(1, moving);
              return s.executeUpdate();
            }
          });
        }
      });

      MigrationReport report;
      try {
        report = JdbcShardMigrator.<String>builder().table("accounts").keyColumn("id")
            .columns(List.of("balance")).build().migrate(router, target);
      } catch (IllegalArgumentException | IllegalStateException refused) {
        return; // refusing a key mapping that does not round-trip is a fix too
      }

      assertTrue(written.get(), "the write ran during the migration");
      List<String> missing = new ArrayList<>();
      for (String id : ids) {
        if (count(dbs, index(router.shardFor(id)), "SELECT count(*) FROM accounts WHERE id = ?", id) != 1) {
          missing.add(id);
        }
      }
      assertEquals(List.of(), missing, report.outcome() + " (" + report + ") but these accounts are on no"
          + " shard the router names (the updated one was " + moving + ")");
    }
  }

  /** Whether {@code writer} waits at the write gate of a paused router. */
  private static boolean heldByThePause(Thread writer) {
    List<String> frames = Arrays.stream(writer.getStackTrace())
        .map(f -> f.getClassName() + "." + f.getMethodName()).toList();
    return frames.stream().anyMatch(f -> f.endsWith("WriteGate.enter"))
        && frames.stream().anyMatch(f -> f.contains("ConditionObject.await"));
  }

  /** One migration at a time per router: a second one started meanwhile fails fast, naming why. */
  @Test
  void aSecondMigrationOfTheSameRouterWhileOneRunsFailsFast() throws Exception {
    try (H2Shards dbs = new H2Shards(5, ORDERS)) {
      ShardRouter<Long, DataSource> router = router(dbs, 4);
      loadOrders(dbs, router, 300);
      ShardTopology<DataSource> target = router.topology().withShard(Shard.of("s4", dbs.dataSource(4)));
      java.util.concurrent.atomic.AtomicReference<Throwable> second = new java.util.concurrent.atomic.AtomicReference<>();
      AtomicBoolean started = new AtomicBoolean();
      dbs.hook(4, sql -> {
        if (sql.startsWith("INSERT") && !started.getAndSet(true)) {
          try {
            MigrationReport unexpected = ordersMigrator(100).migrate(router, target);
            second.set(new AssertionError("the second migration ran: " + unexpected));
          } catch (IllegalStateException refused) {
            second.set(refused);
          }
        }
      });

      MigrationReport report = ordersMigrator(100).migrate(router, target);

      assertTrue(second.get() instanceof IllegalStateException, String.valueOf(second.get()));
      assertTrue(second.get().getMessage().contains("already migrating"), second.get().getMessage());
      assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
      dbs.clearHooks();
      ShardTopology<DataSource> back = router.topology().withoutShard("s4");
      assertEquals(MigrationReport.Outcome.COMPLETED, ordersMigrator(100).migrate(router, back).outcome(),
          "a migration after the first one ended runs");
    }
  }

  /**
   * A moving key pinned during the migration to a third shard, which holds neither its rows nor
   * their copy: the cleanup cannot tell which of the two copies is stale, so it deletes neither
   * and the report names both as pending instead of saying COMPLETED with nothing left.
   */
  @Test
  void aMovingKeyPinnedToAThirdShardMeanwhileIsReportedAsPendingCleanup() throws Exception {
    try (H2Shards dbs = new H2Shards(5, ORDERS)) {
      ShardRouter<Long, DataSource> router = router(dbs, 4);
      loadOrders(dbs, router, 500);
      ShardTopology<DataSource> target = router.topology().withShard(Shard.of("s4", dbs.dataSource(4)));
      long customer = LongStream.range(0, 500)
          .filter(c -> target.shardForHash(router.hashOf(c)).id().equals("s4")).findFirst().orElseThrow();
      String from = router.shardFor(customer).id();
      String third = from.equals("s0") ? "s1" : "s0";
      AtomicBoolean pinned = new AtomicBoolean();
      dbs.hook(4, sql -> {
        if (sql.startsWith("INSERT") && !pinned.getAndSet(true)) {
          router.pin(customer, third);
        }
      });

      MigrationReport report = ordersMigrator(100).migrate(router, target);

      assertTrue(pinned.get());
      assertEquals(MigrationReport.Outcome.CUT_OVER_CLEANUP_PENDING, report.outcome(), report.toString());
      assertEquals(List.of(customer), report.pendingCleanup().keysOn(from), report.toString());
      assertEquals(List.of(customer), report.pendingCleanup().keysOn("s4"), report.toString());
      for (int shard : new int[] {Integer.parseInt(from.substring(1)), 4}) {
        assertEquals(3, count(dbs, shard, "SELECT count(*) FROM orders WHERE customer_id = ?", customer),
            "no copy of the pinned key was deleted (s" + shard + ")");
      }
    }
  }

  /**
   * {@code shard}, whose {@code commit()} number {@code failing} reaches the database and then
   * fails, as when the connection dies before the commit's answer arrives.
   */
  private static DataSource commitLostAnswer(DataSource shard, int failing) {
    AtomicInteger commits = new AtomicInteger();
    return (DataSource) java.lang.reflect.Proxy.newProxyInstance(DataSource.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          Object result = invoke(method, shard, args);
          if (!(result instanceof Connection real)) {
            return result;
          }
          return java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
              new Class<?>[] {Connection.class}, (p, m, a) -> {
                Object r = invoke(m, real, a);
                if (m.getName().equals("commit") && commits.incrementAndGet() == failing) {
                  throw new SQLException("connection reset after commit (injected)", "08006");
                }
                return r;
              });
        });
  }

  private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /**
   * The connection dies after a copy's commit reached the new shard but before its answer: the
   * migration rolls back, and the copies that commit made must go with the others, not stay
   * behind on a shard the router does not place them on, unreported.
   */
  @Test
  void aCopyWhoseCommitAnswerIsLostIsDeletedByTheRollback() throws Exception {
    try (H2Shards dbs = new H2Shards(5, ORDERS)) {
      ShardRouter<Long, DataSource> router = router(dbs, 4);
      loadOrders(dbs, router, 1_000);
      ShardTopology<DataSource> before = router.topology();
      ShardTopology<DataSource> target = before.withShard(Shard.of("s4", commitLostAnswer(dbs.dataSource(4), 2)));

      MigrationReport report = ordersMigrator(100).migrate(router, target);

      assertEquals(MigrationReport.Outcome.ROLLED_BACK, report.outcome(), report.toString());
      assertTrue(report.reason().contains("connection reset after commit"), report.reason());
      assertSame(before, router.topology());
      assertEquals(0, count(dbs, 4, "SELECT count(*) FROM orders WHERE customer_id >= ?", 0L),
          "no copy is left on the new shard");
      assertEquals(3_000, orderCount(dbs, 5));
    }
  }

  /**
   * A column whose name is case-sensitive (created quoted, as PostgreSQL tools often do for
   * camelCase names) is read back from the table's metadata; the migrator must address it as it
   * is spelled, not as an unquoted name the database folds to another case.
   */
  @Test
  void aColumnWithACaseSensitiveNameIsMovedWithItsValue() throws Exception {
    try (H2Shards dbs = new H2Shards(3,
        "CREATE TABLE notes (id bigint PRIMARY KEY, \"noteText\" varchar(40) NOT NULL)")) {
      ShardRouter<Long, DataSource> router = router(dbs, 2);
      for (long id = 0; id < 300; id++) {
        int shard = Integer.parseInt(router.shardFor(id).id().substring(1));
        try (Connection c = dbs.connect(shard);
            PreparedStatement s = c.prepareStatement("INSERT INTO notes VALUES (?, ?)")) {
          s.setLong(1, id);
          s.setString(2, "note " + id);
          s.executeUpdate();
        }
      }

      MigrationReport report = JdbcShardMigrator.<Long>builder().name("notes-migrator").table("notes")
          .keyColumn("id").build()
          .migrate(router, router.topology().withShard(Shard.of("s2", dbs.dataSource(2))));

      assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
      assertTrue(report.rowsCopied() > 0, report.toString());
      long moved = 0;
      for (int shard = 0; shard < 3; shard++) {
        try (Connection c = dbs.connect(shard); Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT id, \"noteText\" FROM notes")) {
          while (rs.next()) {
            assertEquals("note " + rs.getLong(1), rs.getString(2));
            assertEquals(router.shardFor(rs.getLong(1)).id(), "s" + shard);
            moved += shard == 2 ? 1 : 0;
          }
        }
      }
      assertEquals(report.rowsCopied(), moved);
    }
  }
}
