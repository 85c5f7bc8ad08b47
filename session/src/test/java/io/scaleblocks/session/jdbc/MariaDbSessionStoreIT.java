package io.scaleblocks.session.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.scaleblocks.session.MutableClock;
import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionIds;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStoreConfig;
import io.scaleblocks.session.SessionStoreContract;
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

/**
 * The contract on a real MariaDB through {@link Dialect#MYSQL} and its DDL, at the server's
 * default isolation (repeatable read), and cleanups racing requests. MySQL itself is not tested:
 * Debian ships no MySQL server.
 */
class MariaDbSessionStoreIT extends SessionStoreContract {

  private static HikariDataSource pool;
  private final List<String> tables = new ArrayList<>();

  @BeforeAll
  static void connect() {
    RequireServer.mariadb();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(ServerAddresses.mariadbUrl());
    config.setUsername(ServerAddresses.mariadbUser());
    config.setPassword(ServerAddresses.mariadbPassword());
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
    String table = "sbtest_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    tables.add(table);
    return JdbcSessionStores.builder(pool, Dialect.MYSQL).config(config).ids(ids).clock(clock).table(table)
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

  @Test
  void concurrentCleanupsAndRequestsNeverDeadlock() throws Exception {
    JdbcSessionStore jdbc = (JdbcSessionStore) store;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ids.add(saved("u" + i).id());
    }
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService threads = Executors.newFixedThreadPool(6);
    List<Future<Integer>> work = new ArrayList<>();
    try {
      for (int t = 0; t < 2; t++) {
        work.add(threads.submit(() -> {
          int removed = 0;
          while (!stop.get()) {
            removed += jdbc.removeExpired();
          }
          return removed;
        }));
      }
      for (int t = 0; t < 4; t++) {
        work.add(threads.submit(() -> {
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
      threads.shutdownNow();
    }
    clock.advance(IDLE);
    jdbc.removeExpired();
    assertEquals(0, H2SessionStoreTest.count(pool, "SELECT COUNT(*) FROM " + tables.get(0)));
  }

  @Override
  protected int rotationRounds() {
    return 10;
  }

  @Test
  void cleanupsRacingRotationsDeletesAndSavesNeverFail() throws Exception {
    JdbcSessionStore jdbc = (JdbcSessionStore) store;
    List<String> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int i = 0; i < 200; i++) {
      ids.add(saved("u" + i).id());
    }
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService threads = Executors.newFixedThreadPool(6);
    List<Future<Integer>> work = new ArrayList<>();
    try {
      for (int t = 0; t < 2; t++) {
        work.add(threads.submit(() -> {
          int removed = 0;
          while (!stop.get()) {
            removed += jdbc.removeExpired();
          }
          return removed;
        }));
      }
      for (int t = 0; t < 4; t++) {
        work.add(threads.submit(() -> {
          int calls = 0;
          while (!stop.get()) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            String id = ids.get(random.nextInt(ids.size()));
            Optional<Session> found = store.find(id);
            if (found.isPresent()) {
              Session s = found.get();
              try {
                switch (random.nextInt(3)) {
                  case 0 -> {
                    store.changeId(s);
                    ids.add(s.id());
                  }
                  case 1 -> store.delete(s.id());
                  default -> {
                    s.set(COUNT, System.nanoTime());
                    store.save(s);
                  }
                }
              } catch (io.scaleblocks.session.SessionConflictException e) {
                // another request renamed, deleted or expired it first: the rule, not a failure
              }
            }
            Session fresh = store.create();
            fresh.set(USER, "new");
            store.save(fresh);
            ids.add(fresh.id());
            calls++;
          }
          return calls;
        }));
      }
      for (int step = 0; step < 20; step++) {
        Thread.sleep(150);
        clock.advance(Duration.ofMinutes(2));
      }
      stop.set(true);
      for (Future<Integer> f : work) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
  }
}
