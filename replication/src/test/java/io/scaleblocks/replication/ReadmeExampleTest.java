package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class ReadmeExampleTest {

  @Test
  void readmeShowsTheCompiledExample() throws IOException {
    String source = Files.readString(Path.of("src/test/java/io/scaleblocks/replication/ReadmeExample.java"));
    String region = source.substring(source.indexOf("// README-BEGIN\n") + "// README-BEGIN\n".length(),
        source.indexOf("    // README-END"));
    String readme = Files.readString(Path.of("README.md"));
    String block = readme.substring(readme.indexOf("```java\n") + "```java\n".length());
    block = block.substring(0, block.indexOf("```"));
    assertEquals(region.stripTrailing().stripIndent() + "\n", block);
  }

  @Test
  void theExampleWritesToThePrimaryAndReadsFromAReplica() throws SQLException {
    String primary = "jdbc:h2:mem:readme-primary;DB_CLOSE_DELAY=-1";
    String replica1 = "jdbc:h2:mem:readme-replica1;DB_CLOSE_DELAY=-1";
    String replica2 = "jdbc:h2:mem:readme-replica2;DB_CLOSE_DELAY=-1";
    for (String url : new String[] {primary, replica1, replica2}) {
      try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE orders(id INT)");
        if (!url.equals(primary)) {
          s.execute("INSERT INTO orders VALUES (1), (2), (3)");  // what the replicas "have"
        }
      }
    }
    assertEquals(3, ReadmeExample.run(new HikariConfig(), primary, replica1, replica2),
        "the read ran on a replica, not on the primary that took the write");
    try (Connection c = DriverManager.getConnection(primary); Statement s = c.createStatement();
        var r = s.executeQuery("SELECT count(*) FROM orders WHERE id = 42")) {
      r.next();
      assertEquals(1, r.getInt(1), "the write landed on the primary");
    }
  }
}
