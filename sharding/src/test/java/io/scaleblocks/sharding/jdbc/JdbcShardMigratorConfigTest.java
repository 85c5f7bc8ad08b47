package io.scaleblocks.sharding.jdbc;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class JdbcShardMigratorConfigTest {

  private static void assertMessage(Class<? extends Throwable> type, String fragment, Executable call) {
    Throwable thrown = assertThrows(type, call);
    assertTrue(thrown.getMessage().contains(fragment), thrown.getMessage());
  }

  @Test
  void identifiersThatAreNotPlainNamesAreRejectedBeforeAnySqlIsBuilt() {
    assertMessage(IllegalArgumentException.class,
        "identifier must be a plain SQL name ([A-Za-z_][A-Za-z0-9_]*) but was 'accounts; DROP TABLE x'",
        () -> JdbcShardMigrator.<Long>builder().table("accounts; DROP TABLE x"));
    assertMessage(IllegalArgumentException.class, "but was 'id\"'",
        () -> JdbcShardMigrator.<Long>builder().keyColumn("id\""));
    assertMessage(IllegalArgumentException.class, "but was 'a b'",
        () -> ShardQueries.aggregate("a b", "x", null, 0));
  }

  @Test
  void numericSettingsNameTheBadValue() {
    assertMessage(IllegalArgumentException.class, "batchSize must be > 0 but was 0",
        () -> JdbcShardMigrator.<Long>builder().batchSize(0));
    assertMessage(IllegalArgumentException.class, "maxPause must be > 0 but was PT-1S",
        () -> JdbcShardMigrator.<Long>builder().maxPause(Duration.ofSeconds(-1)));
    assertMessage(IllegalArgumentException.class, "catchUpThreshold must be >= 0 but was -2",
        () -> JdbcShardMigrator.<Long>builder().from(Map.of("catchUpThreshold", "-2")));
    assertMessage(IllegalArgumentException.class, "unknown migrator setting 'batch'",
        () -> JdbcShardMigrator.<Long>builder().from(Map.of("batch", "2")));
    assertMessage(IllegalStateException.class, "table and keyColumn are required",
        () -> JdbcShardMigrator.<Long>builder().from(Map.of("table", "accounts")).build());
  }

  @Test
  void aMigratorBuildsFromAMapOfSettings() {
    JdbcShardMigrator.<Long>builder().from(Map.of("table", "accounts", "keyColumn", "id",
        "columns", "balance, note", "batchSize", "500", "maxPause", "PT0.5S")).build();
  }
}
