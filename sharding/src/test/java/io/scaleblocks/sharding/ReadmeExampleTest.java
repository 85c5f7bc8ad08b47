package io.scaleblocks.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scaleblocks.sharding.jdbc.MigrationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class ReadmeExampleTest {

  @Test
  void readmeShowsTheCompiledExample() throws IOException {
    String source = Files.readString(Path.of("src/test/java/io/scaleblocks/sharding/ReadmeExample.java"));
    String region = source.substring(source.indexOf("// README-BEGIN\n") + "// README-BEGIN\n".length(),
        source.indexOf("    // README-END"));
    String readme = Files.readString(Path.of("README.md"));
    String block = readme.substring(readme.indexOf("```java\n") + "```java\n".length());
    block = block.substring(0, block.indexOf("```"));

    assertEquals(region.stripTrailing().stripIndent() + "\n", block);
  }

  @Test
  void theExampleMovesEveryOrderOfTheCustomersThatMove() throws Exception {
    List<DataSource> dbs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL("jdbc:h2:mem:readme" + i + ";DB_CLOSE_DELAY=-1");
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total bigint)");
      }
      dbs.add(ds);
    }
    ShardRouter<Long, DataSource> before = ShardRouter.<Long, DataSource>builder()
        .shard("s0", dbs.get(0)).shard("s1", dbs.get(1)).shard("s2", dbs.get(2)).shard("s3", dbs.get(3)).build();
    for (long customer = 0; customer < 400; customer++) {
      for (int order = 0; order < 3; order++) {
        ReadmeExample.insertOrder(before.resourceFor(customer), customer, order);
      }
    }
    MigrationReport report = ReadmeExample.example(dbs.get(0), dbs.get(1), dbs.get(2), dbs.get(3),
        dbs.get(4), 7);

    assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
    ShardRouter<Long, DataSource> after = ShardRouter.<Long, DataSource>builder()
        .topology(before.topology().withShard(Shard.of("s4", dbs.get(4)))).build();
    long orders = 0;
    for (int i = 0; i < 5; i++) {
      try (Connection c = dbs.get(i).getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT customer_id FROM orders")) {
        while (rs.next()) {
          orders++;
          assertEquals(dbs.get(i), after.resourceFor(rs.getLong(1)), "customer " + rs.getLong(1));
        }
      }
    }
    assertEquals(1_201, orders, "1,200 orders and the example's own");
  }
}
