package io.scaleblocks.replication;

import com.zaxxer.hikari.HikariConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/** The README's first example, compiled and run by {@link ReadmeExampleTest}. */
final class ReadmeExample {

  static long run(HikariConfig pool, String primaryUrl, String replica1Url, String replica2Url)
      throws SQLException {
    // README-BEGIN
    ReplicationDataSource db = ReplicationDataSource.create(ReplicationConfig.builder()
        .name("orders").hikari(pool)              // your HikariConfig: user, password, pool size
        .primary(primaryUrl)                      // "jdbc:postgresql://db1:5432/shop"
        .replica(replica1Url).replica(replica2Url)
        .maxLag(Duration.ofSeconds(2))            // further behind: out of rotation until it catches up
        .build());
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO orders(id) VALUES (42)");          // not read-only: the primary
    }
    long count;
    try (Connection c = db.getConnection()) {
      c.setReadOnly(true);                        // before the first statement: a replica
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM orders")) {
        r.next();
        count = r.getLong(1);
      }
    }
    // README-END
    db.close();
    return count;
  }

  private ReadmeExample() {}
}
