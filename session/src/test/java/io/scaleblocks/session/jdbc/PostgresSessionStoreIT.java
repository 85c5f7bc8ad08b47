package io.scaleblocks.session.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.scaleblocks.session.MutableClock;
import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionIds;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStoreConfig;
import io.scaleblocks.session.SessionStoreContract;
import io.scaleblocks.session.SessionStoreException;
import io.scaleblocks.testkit.Await;
import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contract on the real PostgreSQL primary, and what only a server shows: statements, cleanup under load. */
class PostgresSessionStoreIT extends SessionStoreContract {

  private static HikariDataSource pool;
  private final List<String> tables = new ArrayList<>();
  private String table;

  @BeforeAll
  static void connect() {
    RequireServer.postgresPrimary();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(ServerAddresses.pgPrimaryUrl());
    config.setUsername(ServerAddresses.pgUser());
    config.setPassword(ServerAddresses.pgPassword());
    config.setMaximumPoolSize(16);
    pool = new HikariDataSource(config);
  }

  @AfterAll
  static void disconnect() {
    if (pool != null) {
      pool.close();
    }
  }

  @Override
  protected SessionStore newStore(SessionStoreConfig config, SessionIds ids, MutableClock clock) {
    table = "sbtest_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    tables.add(table);
    return JdbcSessionStores.builder(pool, Dialect.POSTGRESQL).config(config).ids(ids).clock(clock).table(table)
        .cleanupInterval(Duration.ZERO).createSchema(true).build();
  }

  @AfterEach
  void dropTables() throws SQLException {
    try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
      for (String t : tables) {
        st.execute("DROP TABLE IF EXISTS " + t + "_attribute");
        st.execute("DROP TABLE IF EXISTS " + t);
      }
    }
  }

  private JdbcSessionStore counted(CountingDataSource counting, Duration cleanup) {
    return JdbcSessionStores.builder(counting.dataSource, Dialect.POSTGRESQL).config(config()).clock(clock)
        .table(table).cleanupInterval(cleanup).build();
  }

  @Test
  void aRequestThatReadsAndTouchesAnUnchangedSessionCostsOneStatement() {
    CountingDataSource counting = new CountingDataSource(pool);
    SessionStore counted = counted(counting, Duration.ZERO);
    Session s = saved("ada");
    long before = counting.roundTrips();
    Session found = counted.find(s.id()).orElseThrow();
    counted.save(found);
    assertEquals(1, counting.roundTrips() - before, "find + touch, nothing changed");

    before = counting.roundTrips();
    found = counted.find(s.id()).orElseThrow();
    found.set(COUNT, 1L);
    counted.save(found);
    assertEquals(5, counting.roundTrips() - before, "find, then lock, versions, one batch, commit");
  }

  @Test
  void aHungDatabaseBehindASocketTimeoutGivesAStoreExceptionAndLosesNothing() throws Exception {
    HikariConfig config = new HikariConfig();
    String url = ServerAddresses.pgPrimaryUrl();
    config.setJdbcUrl(url + (url.contains("?") ? "&" : "?") + "socketTimeout=1");
    config.setUsername(ServerAddresses.pgUser());
    config.setPassword(ServerAddresses.pgPassword());
    config.setMaximumPoolSize(1);
    try (HikariDataSource one = new HikariDataSource(config)) {
      SessionStore hung = JdbcSessionStores.builder(one, Dialect.POSTGRESQL).config(config()).clock(clock)
          .table(table).cleanupInterval(Duration.ZERO).build();
      Session s = hung.create();
      s.set(USER, "saved before");
      hung.save(s);
      long backend;
      try (Connection c = one.getConnection(); Statement st = c.createStatement();
          java.sql.ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        backend = rs.getLong(1);
      }
      // the pool's one connection is served by this backend process: stop it, as a hung server
      signal("STOP", backend);
      try {
        long start = System.nanoTime();
        SessionStoreException e = assertThrows(SessionStoreException.class, () -> hung.find(s.id()));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 5_000, "gave up after the socket timeout, not " + millis + " ms");
        assertTrue(e.getMessage().startsWith(hung.name() + " - find failed"), e.getMessage());
      } finally {
        signal("CONT", backend);
      }
      assertEquals(Optional.of("saved before"), hung.find(s.id()).orElseThrow().get(USER));
    }
  }

  @Test
  void aConnectionKilledMidRequestIsA503WithNothingHalfWrittenAndTheNextRequestIsServed() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(ServerAddresses.pgPrimaryUrl());
    config.setUsername(ServerAddresses.pgUser());
    config.setPassword(ServerAddresses.pgPassword());
    config.setMaximumPoolSize(1);
    try (HikariDataSource one = new HikariDataSource(config)) {
      SessionStore real = JdbcSessionStores.builder(one, Dialect.POSTGRESQL).config(config()).clock(clock)
          .table(table).cleanupInterval(Duration.ZERO).build();
      long[] backend = new long[1];
      io.scaleblocks.session.OutageStore hooked =
          new io.scaleblocks.session.OutageStore(real, new AtomicBoolean());
      try (io.scaleblocks.session.httpserver.SessionWebApp app =
          new io.scaleblocks.session.httpserver.SessionWebApp(hooked, clock)) {
        java.net.http.HttpClient browser = io.scaleblocks.session.httpserver.SessionWebApp.browser();
        assertEquals("1", io.scaleblocks.session.httpserver.SessionWebApp.get(browser, app.uri("/count")).body());
        try (Connection c = one.getConnection(); Statement st = c.createStatement();
            java.sql.ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
          rs.next();
          backend[0] = rs.getLong(1);
        }
        // between the request's find and its save, the server ends the pool's one connection
        hooked.beforeSave = () -> {
          hooked.beforeSave = () -> { };
          try (Connection admin = pool.getConnection(); Statement st = admin.createStatement()) {
            st.execute("SELECT pg_terminate_backend(" + backend[0] + ", 5000)");
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        };
        java.net.http.HttpResponse<String> killed =
            io.scaleblocks.session.httpserver.SessionWebApp.get(browser, app.uri("/count"));
        assertEquals(503, killed.statusCode());
        assertEquals(Optional.of("1"), killed.headers().firstValue("Retry-After"));
        assertEquals("2", io.scaleblocks.session.httpserver.SessionWebApp.get(browser, app.uri("/count")).body(),
            "the killed request wrote nothing, and the pool serves again");
      }
      try (Connection c = one.getConnection(); Statement st = c.createStatement();
          java.sql.ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        backend[0] = rs.getLong(1);
      }
      Session s = real.create();
      s.set(USER, "ada");
      try (Connection admin = pool.getConnection(); Statement st = admin.createStatement()) {
        st.execute("SELECT pg_terminate_backend(" + backend[0] + ", 5000)");
      }
      SessionStoreException e = assertThrows(SessionStoreException.class, () -> real.save(s));
      assertTrue(e.getMessage().contains("57P01"), "names the server's reason, not the closed connection after it: "
          + e.getMessage());
    }
  }

  private static void signal(String name, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -" + name + " " + pid);
  }

  @Test
  void theScheduledCleanupRemovesExpiredRowsWithinOnePeriod() throws Exception {
    Duration period = Duration.ofMillis(300);
    JdbcSessionStore cleaning = counted(new CountingDataSource(pool), period);
    try {
      for (int i = 0; i < 1_000; i++) {
        Session s = store.create();
        s.setPrincipal("user-" + (i % 10));
        s.set(USER, "u" + i);
        store.save(s);
      }
      clock.advance(IDLE);
      long start = System.nanoTime();
      Await.until("the cleanup to remove every expired row", Duration.ofSeconds(10),
          () -> rows("SELECT COUNT(*) FROM " + table) == 0);
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      // One period until the next run starts, plus that run's own deletes of 2,000 rows, which
      // take up to 1.8 s on a loaded 2-core machine.
      assertTrue(tookMillis <= period.toMillis() + 2_000, "took " + tookMillis + " ms");
      assertEquals(0, rows("SELECT COUNT(*) FROM " + table + "_attribute"));
      Await.until("the cleanup to count what it removed", Duration.ofSeconds(5),
          () -> cleaning.stats().expired() == 1_000);
    } finally {
      cleaning.close();
    }
  }

  @Test
  void concurrentCleanupsAndRequestsNeverDeadlock() throws Exception {
    JdbcSessionStore jdbc = (JdbcSessionStore) store;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      ids.add(saved("u" + i).id());
    }
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Integer>> work = new ArrayList<>();
    try {
      for (int t = 0; t < 2; t++) {
        work.add(pool.submit(() -> {
          int removed = 0;
          while (!stop.get()) {
            removed += jdbc.removeExpired();
          }
          return removed;
        }));
      }
      for (int t = 0; t < 6; t++) {
        work.add(pool.submit(() -> {
          int saves = 0;
          while (!stop.get()) {
            String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
            store.find(id).ifPresent(s -> {
              s.set(COUNT, System.nanoTime());
              try {
                store.save(s);
              } catch (io.scaleblocks.session.SessionConflictException e) {
                // another request won this attribute or the session expired: the rule, not a failure
              }
            });
            Session fresh = store.create();
            fresh.set(USER, "new");
            store.save(fresh);
            saves++;
          }
          return saves;
        }));
      }
      for (int step = 0; step < 10; step++) {
        Thread.sleep(150);
        clock.advance(Duration.ofMinutes(2));
      }
      stop.set(true);
      for (Future<Integer> f : work) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    clock.advance(IDLE);
    jdbc.removeExpired();
    assertEquals(0, rows("SELECT COUNT(*) FROM " + table));
  }

  private long rows(String sql) {
    try {
      return H2SessionStoreTest.count(pool, sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected int rotationRounds() {
    return 10;
  }
}
