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
    assertMessage(IllegalArgumentException.class, "batchSize must be between 1 and 100000 but was 0",
        () -> JdbcShardMigrator.<Long>builder().batchSize(0));
    assertMessage(IllegalArgumentException.class, "maxPause must be > 0 but was PT-1S",
        () -> JdbcShardMigrator.<Long>builder().maxPause(Duration.ofSeconds(-1)));
    assertMessage(IllegalArgumentException.class,
        "shard-migrator: 'catch-up-threshold' must be between 0 and 10000000 but was '-2'",
        () -> JdbcShardMigrator.<Long>builder().from(Map.of("catch-up-threshold", "-2")));
    assertMessage(IllegalArgumentException.class, "'batch'",
        () -> JdbcShardMigrator.<Long>builder().from(Map.of("batch", "2")));
    assertMessage(IllegalArgumentException.class, "'max-pause'",
        () -> JdbcShardMigrator.<Long>builder().from(Map.of("max-pause", "2 fortnights")));
    assertMessage(IllegalStateException.class, "table and keyColumn are required",
        () -> JdbcShardMigrator.<Long>builder().from(Map.of("table", "accounts")).build());
  }

  @Test
  void aMigratorBuildsFromAMapOfKebabCaseSettingsAndAcceptsCamelCaseAndIsoDurations() {
    JdbcShardMigrator.<Long>builder().from(Map.of("table", "accounts", "key-column", "id",
        "columns", "balance, note", "batch-size", "500", "max-pause", "500ms")).build();
    JdbcShardMigrator.<Long>builder().from(Map.of("table", "accounts", "keyColumn", "id",
        "batchSize", "500", "maxPause", "PT0.5S", "max-cutover-attempts", 2)).build();
  }
}
