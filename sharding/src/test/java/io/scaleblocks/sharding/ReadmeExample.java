package io.scaleblocks.sharding;

import io.scaleblocks.sharding.jdbc.JdbcShardMigrator;
import io.scaleblocks.sharding.jdbc.MigrationReport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/** The sharding README's first example, compiled; {@code ReadmeExampleTest} keeps them equal. */
final class ReadmeExample {

  private ReadmeExample() {}

  static MigrationReport example(DataSource ds0, DataSource ds1, DataSource ds2, DataSource ds3,
      DataSource ds4, long customerId) throws SQLException {
    // README-BEGIN
    ShardRouter<Long, DataSource> router = ShardRouter.<Long, DataSource>builder()
        .shard("s0", ds0).shard("s1", ds1).shard("s2", ds2).shard("s3", ds3)
        .build();                                        // MementoHash placement, murmur3 keys
    DataSource db = router.resourceFor(customerId);      // reads: a lock-free snapshot lookup
    router.write(customerId, shard -> insertOrder(shard.resource(), customerId, 25));  // gated
    MigrationReport report = JdbcShardMigrator.<Long>builder()
        .table("orders").keyColumn("customer_id").columns(List.of("id", "total")).build()
        .migrate(router, router.topology().withShard(Shard.of("s4", ds4)));  // live resharding
    System.out.println(report.outcome() + " " + report.reason() + " " + report.pendingCleanup());
    // README-END
    return report;
  }

  private static long nextOrder = 1_000_000;

  static int insertOrder(DataSource db, long customerId, long total) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement("INSERT INTO orders (id, customer_id, total) VALUES (?, ?, ?)")) {
      s.setLong(1, nextOrder++);
      s.setLong(2, customerId);
      s.setLong(3, total);
      return s.executeUpdate();
    }
  }
}
