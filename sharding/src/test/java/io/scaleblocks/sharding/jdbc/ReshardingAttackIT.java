package io.scaleblocks.sharding.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.sharding.ReshardingPlan;
import io.scaleblocks.sharding.Shard;
import io.scaleblocks.sharding.ShardRouter;
import io.scaleblocks.sharding.ShardTopology;
import io.scaleblocks.testkit.RequireServer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Attacks on {@link JdbcShardMigrator} against the real PostgreSQL primary. */
class ReshardingAttackIT {

  @BeforeEach
  void requirePostgres() {
    RequireServer.postgresPrimary();
  }

  /** {@code pool}, running {@code first} once, before the first connection is handed out. */
  private static DataSource onFirstConnection(DataSource pool, Runnable first) {
    AtomicBoolean ran = new AtomicBoolean();
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          if (method.getName().equals("getConnection") && !ran.getAndSet(true)) {
            first.run();
          }
          switch (method.getName()) {
            case "hashCode":
              return System.identityHashCode(proxy);
            case "equals":
              return proxy == args[0];
            case "toString":
              return "hooked " + pool;
            default:
              try {
                return method.invoke(pool, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
          }
        });
  }

  /**
   * {@code batch-size} accepts up to 100,000 ("keys per IN list"), but PostgreSQL's protocol
   * carries at most 65,535 bind parameters: a catch-up or verification of more than 65,535 moving
   * keys in one move builds one IN list that the driver refuses, and the migration rolls back.
   */
  @Test
  void theLargestAcceptedBatchSizeWorksOnPostgres() throws Exception {
    try (ShardDatabases dbs = new ShardDatabases("attack_batch", 2,
        "CREATE TABLE points (id bigint PRIMARY KEY, score bigint NOT NULL)")) {
      List<ShardRouter<Long, DataSource>> holder = new ArrayList<>();
      ShardRouter<Long, DataSource> router = ShardRouter.<Long, DataSource>builder()
          .shard("s0", onFirstConnection(dbs.pool(0), () -> {
            // The application writes 160,000 keys while the copy starts (no-op writes: only the
            // tracking matters here).
            for (long id = 0; id < 160_000; id++) {
              holder.get(0).write(id, shard -> null);
            }
          })).build();
      holder.add(router);
      try (Connection c = dbs.pool(0).getConnection(); Statement s = c.createStatement()) {
        s.execute("INSERT INTO points SELECT g, 0 FROM generate_series(0, 99) g");
      }
      ShardTopology<DataSource> target = router.topology().withShard(Shard.of("s1", dbs.pool(1)));
      ReshardingPlan<DataSource> plan = ReshardingPlan.plan(router.topology(), target);
      long moving = LongStream.range(0, 160_000).filter(id -> plan.moves(router.hashOf(id))).count();
      assertTrue(moving > 65_535, moving + " moving keys");

      MigrationReport report = JdbcShardMigrator.<Long>builder().table("points").keyColumn("id")
          .columns(List.of("score")).batchSize(100_000).build().migrate(router, target);

      assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
    }
  }

  /**
   * A {@code char(n)} key column: PostgreSQL returns {@code bpchar} values padded to n, the
   * application routes by the unpadded key, the migrator hashes the padded value.
   */
  @Test
  void aCharKeyColumnKeepsEveryRowWhereTheRouterLooksForIt() throws Exception {
    try (ShardDatabases dbs = new ShardDatabases("attack_char", 3,
        "CREATE TABLE accounts (code char(12) PRIMARY KEY, balance bigint NOT NULL)")) {
      ShardRouter<String, DataSource> router = ShardRouter.<String, DataSource>builder()
          .shard("s0", dbs.pool(0)).shard("s1", dbs.pool(1)).build();
      List<String> codes = LongStream.range(0, 300).mapToObj(i -> "acct-" + i).toList();
      for (String code : codes) {
        try (Connection c = router.resourceFor(code).getConnection();
            PreparedStatement s = c.prepareStatement("INSERT INTO accounts VALUES (?, 100)")) {
          s.setString(1, code);
          s.executeUpdate();
        }
      }
      MigrationReport report = JdbcShardMigrator.<String>builder().table("accounts").keyColumn("code")
          .columns(List.of("balance")).build()
          .migrate(router, router.topology().withShard(Shard.of("s2", dbs.pool(2))));

      List<String> missing = new ArrayList<>();
      for (String code : codes) {
        try (Connection c = router.resourceFor(code).getConnection();
            PreparedStatement s = c.prepareStatement("SELECT count(*) FROM accounts WHERE RTRIM(code) = ?")) {
          s.setString(1, code);
          try (ResultSet rs = s.executeQuery()) {
            rs.next();
            if (rs.getLong(1) != 1) {
              missing.add(code);
            }
          }
        }
      }
      assertEquals(List.of(), missing, report.outcome() + " (" + report + "): " + missing.size()
          + " of 300 accounts are not on the shard the router names");
    }
  }

  /**
   * An {@code xml} column: the driver returns a {@code PgSQLXML}, which the checksum encodes by
   * class name and {@code toString()} (its identity), so no key ever verifies.
   */
  @Test
  void aTableWithAnXmlColumnCanBeMigrated() throws Exception {
    try (ShardDatabases dbs = new ShardDatabases("attack_xml", 3,
        "CREATE TABLE docs (id bigint PRIMARY KEY, body xml)")) {
      ShardRouter<Long, DataSource> router = ShardRouter.<Long, DataSource>builder()
          .shard("s0", dbs.pool(0)).shard("s1", dbs.pool(1)).build();
      for (long id = 0; id < 200; id++) {
        try (Connection c = router.resourceFor(id).getConnection();
            PreparedStatement s = c.prepareStatement("INSERT INTO docs VALUES (?, XMLPARSE(CONTENT ?))")) {
          s.setLong(1, id);
          s.setString(2, "<doc id=\"" + id + "\"/>");
          s.executeUpdate();
        }
      }
      MigrationReport report = JdbcShardMigrator.<Long>builder().table("docs").keyColumn("id")
          .columns(List.of("body")).build()
          .migrate(router, router.topology().withShard(Shard.of("s2", dbs.pool(2))));

      assertEquals(MigrationReport.Outcome.COMPLETED, report.outcome(), report.toString());
    }
  }

  /** {@code source}, passing the SQL of every statement it prepares to {@code hook} first. */
  private static DataSource hooked(DataSource source, java.util.function.Consumer<String> hook) {
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "hashCode":
              return System.identityHashCode(proxy);
            case "equals":
              return proxy == args[0];
            case "toString":
              return "hooked " + source;
            case "getConnection": {
              Connection real = (Connection) invoke(method, source, args);
              return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                  (p, m, a) -> {
                    if (m.getName().equals("prepareStatement") && a != null && a[0] instanceof String sql) {
                      hook.accept(sql);
                    }
                    return invoke(m, real, a);
                  });
            }
            default:
              return invoke(method, source, args);
          }
        });
  }

  private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static DataSource unspecifiedStrings(ShardDatabases dbs, int i) {
    org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
    ds.setUrl(ShardDatabases.url(dbs.name(i)));
    ds.setUser(io.scaleblocks.testkit.ServerAddresses.pgUser());
    ds.setPassword(io.scaleblocks.testkit.ServerAddresses.pgPassword());
    ds.setStringType("unspecified");
    return ds;
  }

  /**
   * String router keys over a {@code uuid} key column, with the common {@code stringtype=unspecified}
   * connection setting (so PostgreSQL accepts a text parameter for a uuid). One moving account
   * is updated through the router after the verification's last full scan: the catch-up reads it
   * back keyed by {@code java.util.UUID}, looks it up by the String, finds no rows, deletes the
   * copy on the new shard, verifies nothing against nothing, switches and deletes the old row.
   */
  @Test
  void aUuidColumnWithStringRouterKeysLosesNoRowWrittenDuringTheMigration() throws Exception {
    try (ShardDatabases dbs = new ShardDatabases("attack_uuid", 3,
        "CREATE TABLE accounts (id uuid PRIMARY KEY, balance bigint NOT NULL)")) {
      List<String> ids = LongStream.range(0, 300).mapToObj(i -> new java.util.UUID(0x5eed, i).toString()).toList();
      List<ShardRouter<String, DataSource>> holder = new ArrayList<>();
      AtomicBoolean written = new AtomicBoolean();
      String[] moving = new String[1];
      DataSource s2 = hooked(unspecifiedStrings(dbs, 2), sql -> {
        if (sql.startsWith("SELECT") && sql.contains("ORDER BY") && !written.getAndSet(true)) {
          try {
            holder.get(0).write(moving[0], shard -> {
              try (Connection c = shard.resource().getConnection();
                  PreparedStatement s = c.prepareStatement("UPDATE accounts SET balance = 777 WHERE id = ?")) {
                s.setString(1, moving[0]);
                return s.executeUpdate();
              }
            });
          } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
          }
        }
      });
      ShardRouter<String, DataSource> router = ShardRouter.<String, DataSource>builder()
          .shard("s0", unspecifiedStrings(dbs, 0)).shard("s1", unspecifiedStrings(dbs, 1)).build();
      holder.add(router);
      for (String id : ids) {
        try (Connection c = router.resourceFor(id).getConnection();
            PreparedStatement s = c.prepareStatement("INSERT INTO accounts VALUES (?, 100)")) {
          s.setString(1, id);
          s.executeUpdate();
        }
      }
      ShardTopology<DataSource> target = router.topology().withShard(Shard.of("s2", s2));
      moving[0] = ids.stream().filter(id -> target.shardForHash(router.hashOf(id)).id().equals("s2"))
          .findFirst().orElseThrow();

      MigrationReport report = JdbcShardMigrator.<String>builder().table("accounts").keyColumn("id")
          .columns(List.of("balance")).build().migrate(router, target);

      assertTrue(written.get(), "the write ran during the migration");
      List<String> missing = new ArrayList<>();
      for (String id : ids) {
        try (Connection c = router.resourceFor(id).getConnection();
            PreparedStatement s = c.prepareStatement("SELECT count(*) FROM accounts WHERE id = ?")) {
          s.setString(1, id);
          try (ResultSet rs = s.executeQuery()) {
            rs.next();
            if (rs.getLong(1) != 1) {
              missing.add(id);
            }
          }
        }
      }
      assertEquals(List.of(), missing, report.outcome() + " (" + report + ") but these accounts are on no"
          + " shard the router names (the updated one was " + moving[0] + ")");
    }
  }

  /**
   * README, "Bad input fails fast with the value named: null keys". PostgreSQL sorts NULLs last:
   * a NULL in the key column makes the migration roll back with a bare NullPointerException when
   * the shard fits in one page (the first page has no {@code WHERE key > ?}), and is silently
   * skipped when it does not (every later page's {@code key > ?} excludes NULL). The same table
   * gets a different outcome depending only on {@code batchSize}.
   */
  @Test
  void aNullKeyGetsTheSameOutcomeWhateverTheBatchSize() throws Exception {
    List<MigrationReport.Outcome> outcomes = new ArrayList<>();
    for (int batchSize : new int[] {100, 10_000}) {
      try (ShardDatabases dbs = new ShardDatabases("attack_null", 2,
          "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total bigint NOT NULL)")) {
        ShardRouter<Long, DataSource> router = ShardRouter.<Long, DataSource>builder().shard("s0", dbs.pool(0)).build();
        try (Connection c = dbs.pool(0).getConnection(); Statement s = c.createStatement()) {
          s.execute("INSERT INTO orders SELECT g, g, 1 FROM generate_series(0, 999) g");
          s.execute("INSERT INTO orders VALUES (999999, NULL, 1)");
        }
        MigrationReport report = JdbcShardMigrator.<Long>builder().table("orders").keyColumn("customer_id")
            .columns(List.of("id", "total")).batchSize(batchSize).build()
            .migrate(router, router.topology().withShard(Shard.of("s1", dbs.pool(1))));
        outcomes.add(report.outcome());
      }
    }
    assertEquals(outcomes.get(0), outcomes.get(1), "batch size 100 gave " + outcomes.get(0)
        + ", batch size 10000 gave " + outcomes.get(1) + " for the same table with one NULL key");
  }
}
