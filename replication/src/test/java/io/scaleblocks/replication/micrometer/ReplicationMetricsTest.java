package io.scaleblocks.replication.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scaleblocks.replication.ReplicationConfig;
import io.scaleblocks.replication.ReplicationDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class ReplicationMetricsTest {

  @Test
  void countsConnectionsPerNodeAndRoleAndRegistersThePools() throws SQLException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ReplicationDataSource ds = ReplicationDataSource.create(ReplicationConfig.builder().name("orders")
        .primary("p", "jdbc:h2:mem:metrics-p;DB_CLOSE_DELAY=-1")
        .replica("r", "jdbc:h2:mem:metrics-r;DB_CLOSE_DELAY=-1", 1).monitor(false).build())) {
      new ReplicationMetrics(ds).withPoolMetrics().bindTo(registry);
      for (int i = 0; i < 3; i++) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
          s.execute("SELECT 1");
        }
      }
      try (Connection c = ds.getConnection()) {
        c.setReadOnly(true);
        c.createStatement().close();
      }
      assertEquals(3.0, registry.get("scaleblocks.replication.connections")
          .tags("name", "orders", "node", "p", "role", "primary").functionCounter().count());
      assertEquals(1.0, registry.get("scaleblocks.replication.connections")
          .tags("name", "orders", "node", "r", "role", "replica").functionCounter().count());
      assertEquals(1.0, registry.get("scaleblocks.replication.nodes").tags("state", "primary").gauge().value());
      assertEquals(1.0, registry.get("scaleblocks.replication.nodes").tags("state", "replica").gauge().value());
      assertEquals(0.0, registry.get("scaleblocks.replication.lag.bytes").tags("node", "r").gauge().value());
      assertEquals(0.0, registry.get("scaleblocks.replication.failovers").tags("kind", "read").counter().count());
      assertFalse(registry.find("hikaricp.connections").tags("pool", "orders-r").gauges().isEmpty(),
          "HikariCP's own pool meters");
    }
  }
}
