package io.scaleblocks.session.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.session.MutableClock;
import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionIds;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStoreConfig;
import io.scaleblocks.session.SessionStoreContract;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

/** The contract on H2 in memory, and the cleanup's bookkeeping. */
class H2SessionStoreTest extends SessionStoreContract {

  private DataSource dataSource;

  @Override
  protected SessionStore newStore(SessionStoreConfig config, SessionIds ids, MutableClock clock) {
    if (dataSource == null) {
      HikariConfig h2 = new HikariConfig();
      h2.setJdbcUrl("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
      h2.setMaximumPoolSize(16);
      dataSource = new HikariDataSource(h2);
    }
    return JdbcSessionStores.builder(dataSource, Dialect.H2).config(config).ids(ids).clock(clock)
        .cleanupInterval(Duration.ZERO).createSchema(true).build();
  }

  @org.junit.jupiter.api.AfterEach
  void closePool() {
    if (dataSource instanceof HikariDataSource hikari) {
      hikari.close();
    }
  }

  static long count(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void cleanupRemovesEveryExpiredRowAndNoPrincipalEntryIsLeftAfterTenThousandExpire() throws Exception {
    JdbcSessionStore jdbc = (JdbcSessionStore) store;
    for (int i = 0; i < 10_000; i++) {
      Session s = store.create();
      s.setPrincipal("user-" + (i % 100));
      s.set(USER, "u" + i);
      store.save(s);
    }
    Session live = saved("live");
    assertEquals(10_001, store.activeSessions().orElseThrow());
    clock.advance(IDLE.minusMinutes(1));
    store.touch(live.id());
    clock.advance(Duration.ofMinutes(2));
    assertEquals(0, store.findIdsByPrincipal("user-3").size(), "expired before any cleanup");
    assertEquals(10_000, jdbc.removeExpired());
    assertEquals(0, count(dataSource, "SELECT COUNT(*) FROM sb_session WHERE principal IS NOT NULL"));
    assertEquals(1, count(dataSource, "SELECT COUNT(*) FROM sb_session_attribute"));
    assertEquals(10_000, store.stats().expired());
    assertTrue(store.find(live.id()).isPresent());
  }

  @Test
  void aNonIdentifierTableNameIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JdbcSessionStores.builder(dataSource, Dialect.H2).table("x; DROP TABLE y"));
    assertTrue(e.getMessage().contains("'x; DROP TABLE y'"), e.getMessage());
  }

  @Test
  void anUnchangedSessionCostsNoStatementToSave() {
    CountingDataSource counting = new CountingDataSource(dataSource);
    SessionStore counted = JdbcSessionStores.builder(counting.dataSource, Dialect.H2).config(config()).clock(clock)
        .cleanupInterval(Duration.ZERO).build();
    Session s = saved("ada");
    Session found = counted.find(s.id()).orElseThrow();
    long before = counting.roundTrips();
    counted.save(found);
    assertEquals(before, counting.roundTrips());
  }

  /** A few rotations of a login racing a log-out-everywhere: the one DELETE by principal gets the session. */
  @Test
  void logOutEverywhereRacingRotationsDeletesTheSession() throws Exception {
    for (int round = 0; round < 20; round++) {
      int[] rotations = {0};
      Session s = store.create();
      s.setPrincipal("racer");
      store.save(s);
      java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      Thread rotator = new Thread(() -> {
        try {
          while (!stop.get() && rotations[0]++ < 3) {
            store.changeId(s);
            started.countDown();
          }
        } catch (io.scaleblocks.session.SessionConflictException e) {
          // deleted: the rotations end
        } finally {
          started.countDown();
        }
      });
      rotator.start();
      started.await();
      store.deleteByPrincipal("racer");
      stop.set(true);
      rotator.join();
      assertEquals(java.util.List.of(), store.findIdsByPrincipal("racer"), "a session outlived deleteByPrincipal in round " + round);
    }
  }
}
