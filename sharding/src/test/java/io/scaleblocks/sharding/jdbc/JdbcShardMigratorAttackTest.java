package io.scaleblocks.sharding.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Attacks on {@link JdbcShardMigrator} over in-memory H2 shards (see {@link H2Shards}). */
class JdbcShardMigratorAttackTest {

  static final String ORDERS =
      "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total bigint NOT NULL)";

  private static <K> ShardRouter<K, DataSource> router(H2Shards dbs, int shards) {
    ShardRouter.Builder<K, DataSource> builder = ShardRouter.builder();
    for (int i = 0; i < shards; i++) {
      builder.shard("s" + i, dbs.dataSource(i));
    }
    return builder.name("attack-router").build();
  }

  private static int index(Shard<?> shard) {
    return Integer.parseInt(shard.id().substring(1));
  }

  private static JdbcShardMigrator<Long> ordersMigrator() {
    return JdbcShardMigrator.<Long>builder().name("attack-migrator").table("orders")
        .keyColumn("customer_id").columns(List.of("id", "total")).batchSize(100).build();
  }

  private static void loadOrders(H2Shards dbs, ShardRouter<Long, DataSource> router, int customers)
      throws SQLException {
    for (long customer = 0; customer < customers; customer++) {
      try (Connection c = dbs.connect(index(router.shardFor(customer)));
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

      MigrationReport report = ordersMigrator().migrate(router, target);

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
        report = ordersMigrator().migrate(router, router.topology().withShard(Shard.of("s4", dbs.dataSource(4))));
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
      }, "attack-writer");
      AtomicBoolean stalled = new AtomicBoolean();
      dbs.hook(4, sql -> {
        if (!stalled.get() && heldByThePause(writer) && !stalled.getAndSet(true)) {
          sleep(2_000); // the new shard's backend hangs for 2 s while writes are paused
        }
      });
      writer.start();
      Duration maxPause = Duration.ofMillis(200);
      MigrationReport report;
      try {
        report = JdbcShardMigrator.<Long>builder().table("orders").keyColumn("customer_id")
            .columns(List.of("id", "total")).batchSize(100).maxPause(maxPause).build()
            .migrate(router, router.topology().withShard(Shard.of("s4", dbs.dataSource(4))));
      } finally {
        running.set(false);
        writer.join();
      }
      assertTrue(stalled.get(), "the stall happened during a pause: " + report);
      assertTrue(report.writePause().compareTo(maxPause.multipliedBy(2)) <= 0,
          "writes were held " + report.writePause().toMillis() + " ms at maxPause " + maxPause.toMillis()
              + " ms: " + report);
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

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
