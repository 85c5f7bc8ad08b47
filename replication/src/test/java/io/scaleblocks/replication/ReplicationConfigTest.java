package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ReplicationConfigTest {

  private static void refused(Class<? extends RuntimeException> type, Runnable build, String message) {
    RuntimeException e = assertThrows(type, build::run);
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void refusesAConfigurationWithoutAPrimary() {
    refused(IllegalStateException.class,
        () -> ReplicationConfig.builder().replica("jdbc:h2:mem:r").build(), "replication: no primary configured");
    refused(IllegalStateException.class,
        () -> ReplicationConfig.from(Map.of("replicas[0].url", "jdbc:h2:mem:r")), "no primary configured");
  }

  @Test
  void refusesDuplicateNodes() {
    refused(IllegalArgumentException.class, () -> ReplicationConfig.builder()
        .primary("jdbc:postgresql://db1:5432/app").replica("jdbc:postgresql://db1:5432/app").build(),
        "duplicate node URL jdbc:postgresql://db1:5432/app");
    refused(IllegalArgumentException.class, () -> ReplicationConfig.builder()
        .primary("jdbc:postgresql://db1:5432/app").replica("jdbc:postgresql://db1:5432/other").build(),
        "duplicate node name db1:5432");
  }

  @Test
  void settersNameTheBadValue() {
    ReplicationConfig.Builder b = ReplicationConfig.builder();
    refused(IllegalArgumentException.class, () -> b.maxLagBytes(-3), "maxLagBytes must be >= 0 but was -3");
    refused(IllegalArgumentException.class, () -> b.maxLag(Duration.ofSeconds(-1)), "maxLag must be >= 0 but was PT-1S");
    refused(IllegalArgumentException.class, () -> b.healthInterval(Duration.ZERO), "healthInterval must be > 0 but was PT0S");
    refused(IllegalArgumentException.class, () -> b.connectTimeout(Duration.ofMillis(100)), "connectTimeout must be >= 250ms");
    refused(IllegalArgumentException.class, () -> b.replica("r", "jdbc:h2:mem:r", 0), "weight must be between 1 and 1000000 but was 0");
    refused(IllegalArgumentException.class, () -> b.primary("postgres://db"), "url must start with jdbc: but was 'postgres://db'");
  }

  @Test
  void readsTheSettingsForm() throws SQLException {
    Properties p = new Properties();
    p.setProperty("name", "orders");
    p.setProperty("primary.url", "jdbc:h2:mem:settings-p;DB_CLOSE_DELAY=-1");
    p.setProperty("replicas[0].url", "jdbc:h2:mem:settings-r0;DB_CLOSE_DELAY=-1");
    p.setProperty("replicas[1].url", "jdbc:h2:mem:settings-r1;DB_CLOSE_DELAY=-1");
    p.setProperty("replicas[1].weight", "3");
    p.setProperty("maxLag", "250ms");
    p.setProperty("max-lag-bytes", "1048576");
    p.setProperty("health-interval", "1s");
    p.setProperty("strategy", "weighted");
    p.setProperty("read-fallback", "fail");
    ReplicationConfig config = ReplicationConfig.from(p);
    assertEquals("orders", config.name());
    assertEquals(Duration.ofMillis(250), config.maxLag);
    assertEquals(1_048_576, config.maxLagBytes);
    assertEquals(ReadFallback.FAIL, config.readFallback);
    assertEquals(3, config.replicas.get(1).weight());
    try (ReplicationDataSource ds = ReplicationDataSource.create(config); Connection c = ds.getConnection()) {
      assertTrue(c.isValid(1));
      assertEquals(3, ds.status().size());
    }
  }

  @Test
  void refusesUnknownAndOutOfRangeKeysNamingThem() {
    refused(IllegalArgumentException.class, () -> ReplicationConfig.from(Map.of(
        "primary.url", "jdbc:h2:mem:x", "max-lagg", "1s")), "unknown setting 'max-lagg'");
    refused(IllegalArgumentException.class, () -> ReplicationConfig.from(Map.of(
        "primary.url", "jdbc:h2:mem:x", "max-lag-bytes", "-1")), "'max-lag-bytes'");
    refused(IllegalArgumentException.class, () -> ReplicationConfig.from(Map.of(
        "primary.url", "jdbc:h2:mem:x", "strategy", "fastest")), "'strategy' must be round-robin");
    refused(IllegalArgumentException.class, () -> ReplicationConfig.from(Map.of(
        "primary.url", "jdbc:h2:mem:x", "replicas[0].weight", "2")), "every replicas[i] needs a url");
  }
}
