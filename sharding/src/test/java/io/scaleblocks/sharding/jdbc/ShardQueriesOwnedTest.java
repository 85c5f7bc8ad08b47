package io.scaleblocks.sharding.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.sharding.Gather;
import io.scaleblocks.sharding.ScatterGather;
import io.scaleblocks.sharding.Shard;
import io.scaleblocks.sharding.ShardRouter;
import io.scaleblocks.sharding.ShardTopology;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class ShardQueriesOwnedTest {

  @Test
  void ownedKeepsEachShardToTheRowsTheRouterPlacesThere() {
    ShardRouter<Long, DataSource> router = ShardRouter.<Long, DataSource>builder()
        .shard("s0", new JdbcDataSource()).shard("s1", new JdbcDataSource())
        .shard("s2", new JdbcDataSource()).build();
    router.pin(5L, "s2");
    // Every shard answers every key, as if a migration had left copies everywhere.
    List<Long> all = LongStream.range(0, 300).boxed().toList();
    ScatterGather.ShardTask<DataSource, Long> everything = shard -> all;
    try (ScatterGather<DataSource> sg = ScatterGather.over(router).build()) {
      List<Long> counted = sg.query(everything, Gather.concat()).value();
      assertEquals(900, counted.size(), "without the filter each key counts three times");
      List<Long> owned = sg.query(ShardQueries.owned(everything, router, (Long key) -> key), Gather.concat()).value();
      assertEquals(all, owned.stream().sorted().toList(), "with it each key counts once");
    }
  }

  static final String ORDERS =
      "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total bigint NOT NULL)";

  /**
   * A scatter-gather that straddles a migration's switch filters each shard's rows by the topology
   * whose shards it queried, so the moved keys' rows on their old shard still count.
   */
  @Test
  void aScatterGatherThatStraddlesTheSwitchSeesEveryOrderOnce() throws Exception {
    try (H2Shards dbs = new H2Shards(5, ORDERS)) {
      ShardRouter.Builder<Long, DataSource> builder = ShardRouter.builder();
      for (int i = 0; i < 4; i++) {
        builder.shard("s" + i, dbs.dataSource(i));
      }
      ShardRouter<Long, DataSource> router = builder.build();
      for (long customer = 0; customer < 500; customer++) {
        int shard = Integer.parseInt(router.shardFor(customer).id().substring(1));
        try (Connection c = dbs.connect(shard);
            PreparedStatement s = c.prepareStatement("INSERT INTO orders VALUES (?, ?, ?)")) {
          for (int order = 0; order < 3; order++) {
            s.setLong(1, customer * 3 + order);
            s.setLong(2, customer);
            s.setLong(3, order);
            s.addBatch();
          }
          s.executeBatch();
        }
      }
      ShardTopology<DataSource> before = router.topology();
      ScatterGather.ShardTask<DataSource, long[]> orders = ShardQueries.sql(
          "SELECT id, customer_id FROM orders", rs -> new long[] {rs.getLong(1), rs.getLong(2)}, 0);
      CountDownLatch s0Answered = new CountDownLatch(1);
      // s0 has read its rows (before the switch and before any cleanup); its answer arrives a
      // little later, once the router has switched, as a slow network would deliver it.
      ScatterGather.ShardTask<DataSource, long[]> slowS0 = shard -> {
        List<long[]> rows = orders.run(shard);
        if (shard.id().equals("s0")) {
          s0Answered.countDown();
          long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
          while (router.topology() == before && System.nanoTime() < until) {
            Thread.sleep(5);
          }
        }
        return rows;
      };
      try (ScatterGather<DataSource> sg = ScatterGather.over(router).deadline(Duration.ofSeconds(30)).build()) {
        CompletableFuture<ScatterGather.Result<List<long[]>>> gathered = CompletableFuture.supplyAsync(
            () -> sg.query(ShardQueries.owned(slowS0, router, row -> row[1]), Gather.concat()));
        assertTrue(s0Answered.await(10, TimeUnit.SECONDS));

        MigrationReport report = JdbcShardMigrator.<Long>builder().table("orders").keyColumn("customer_id")
            .columns(List.of("id", "total")).build()
            .migrate(router, before.withShard(Shard.of("s4", dbs.dataSource(4))));
        assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());

        List<long[]> rows = gathered.get(30, TimeUnit.SECONDS).value();
        assertEquals(1_500, rows.stream().mapToLong(r -> r[0]).distinct().count(),
            "orders seen by an owned() scatter-gather that straddled the switch (" + rows.size() + " rows)");
      }
    }
  }

  /**
   * The other side of the straddle: the scatter-gather took its shard list before the switch, but
   * the old shard runs its query only after the migration's cleanup has deleted the moved rows
   * there. Judged by the old topology the copies on the new shard are not owned either, so the
   * moved customers' orders must not simply vanish from the answer.
   */
  @Test
  void aScatterGatherWhoseOldShardIsReadAfterTheCleanupStillSeesEveryOrder() throws Exception {
    try (H2Shards dbs = new H2Shards(5, ORDERS)) {
      ShardRouter.Builder<Long, DataSource> builder = ShardRouter.builder();
      for (int i = 0; i < 4; i++) {
        builder.shard("s" + i, dbs.dataSource(i));
      }
      ShardRouter<Long, DataSource> router = builder.build();
      for (long customer = 0; customer < 500; customer++) {
        int shard = Integer.parseInt(router.shardFor(customer).id().substring(1));
        try (Connection c = dbs.connect(shard);
            PreparedStatement s = c.prepareStatement("INSERT INTO orders VALUES (?, ?, ?)")) {
          for (int order = 0; order < 3; order++) {
            s.setLong(1, customer * 3 + order);
            s.setLong(2, customer);
            s.setLong(3, order);
            s.addBatch();
          }
          s.executeBatch();
        }
      }
      ShardTopology<DataSource> before = router.topology();
      ScatterGather.ShardTask<DataSource, long[]> orders = ShardQueries.sql(
          "SELECT id, customer_id FROM orders", rs -> new long[] {rs.getLong(1), rs.getLong(2)}, 0);
      CountDownLatch s0Started = new CountDownLatch(1);
      CountDownLatch migrated = new CountDownLatch(1);
      // s0's task is queued behind a busy pool, as it would be under load: it reads only once
      // the migration, cleanup included, is over.
      ScatterGather.ShardTask<DataSource, long[]> lateS0 = shard -> {
        if (shard.id().equals("s0") && s0Started.getCount() > 0) {
          s0Started.countDown();
          assertTrue(migrated.await(20, TimeUnit.SECONDS));
        }
        return orders.run(shard);
      };
      try (ScatterGather<DataSource> sg = ScatterGather.over(router).deadline(Duration.ofSeconds(30)).build()) {
        CompletableFuture<ScatterGather.Result<List<long[]>>> gathered = CompletableFuture.supplyAsync(
            () -> sg.query(ShardQueries.owned(lateS0, router, row -> row[1]), Gather.concat()));
        assertTrue(s0Started.await(10, TimeUnit.SECONDS));

        MigrationReport report = JdbcShardMigrator.<Long>builder().table("orders").keyColumn("customer_id")
            .columns(List.of("id", "total")).build()
            .migrate(router, before.withShard(Shard.of("s4", dbs.dataSource(4))));
        assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
        assertTrue(report.rowsDeleted() > 0, "the cleanup deleted the moved rows from their old shards");
        migrated.countDown();

        List<long[]> rows = gathered.get(30, TimeUnit.SECONDS).value();
        assertEquals(1_500, rows.stream().mapToLong(r -> r[0]).distinct().count(),
            "orders seen by an owned() scatter-gather whose old shard answered after the cleanup ("
                + rows.size() + " rows)");
        assertEquals(1_500, rows.size(), "each order once");
      }
    }
  }
}
