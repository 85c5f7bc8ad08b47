package io.scaleblocks.session.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scaleblocks.session.MutableClock;
import io.scaleblocks.session.OutageStore;
import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionAttribute;
import io.scaleblocks.session.SessionConflictException;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStoreConfig;
import io.scaleblocks.session.SessionStoreException;
import io.scaleblocks.session.SessionStores;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SessionStoreMetricsTest {

  private static final SessionAttribute<String> USER = SessionAttribute.string("user");

  @Test
  void everyMeterCountsWhatTheStoreDid() {
    MutableClock clock = new MutableClock();
    SessionStore store = SessionStores.inMemory().clock(clock)
        .config(SessionStoreConfig.builder().name("web").idleTimeout(Duration.ofMinutes(1)).build()).build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new SessionStoreMetrics(store, Tags.of("tier", "front")).bindTo(registry);

    Session a = store.create();
    store.save(a);
    Session b = store.create();
    b.set(USER, "x");
    store.save(b);
    Session first = store.find(b.id()).orElseThrow();
    Session second = store.find(b.id()).orElseThrow();
    first.set(USER, "1");
    second.set(USER, "2");
    store.save(first);
    assertThrows(SessionConflictException.class, () -> store.save(second));
    store.changeId(first);
    store.delete(first.id());
    store.find("bogus");
    clock.advance(Duration.ofMinutes(2));
    store.find(a.id());

    assertEquals(2, registry.get("scaleblocks.session.created").tag("name", "web").tag("tier", "front")
        .functionCounter().count());
    assertEquals(1, registry.get("scaleblocks.session.conflicts").functionCounter().count());
    assertEquals(1, registry.get("scaleblocks.session.id.rotations").functionCounter().count());
    assertEquals(1, registry.get("scaleblocks.session.deleted").functionCounter().count());
    assertEquals(1, registry.get("scaleblocks.session.expired").functionCounter().count());
    assertEquals(1, registry.get("scaleblocks.session.malformed.ids").functionCounter().count());
    assertEquals(0, registry.get("scaleblocks.session.active").gauge().value());
    assertEquals(4, registry.get("scaleblocks.session.store.latency").tag("operation", "save")
        .tag("outcome", "success").timer().count());
    assertEquals(1, registry.get("scaleblocks.session.store.latency").tag("operation", "changeId")
        .tag("outcome", "success").timer().count());
  }

  @Test
  void failedCallsAreTimedAsFailures() {
    AtomicBoolean down = new AtomicBoolean(true);
    SessionStore memory = SessionStores.inMemory().build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new SessionStoreMetrics(memory).bindTo(registry);
    SessionStore failing = new OutageStore(memory, down);
    Session s = failing.create();
    assertThrows(SessionStoreException.class, () -> failing.save(s));
    down.set(false);
    failing.save(s);
    assertEquals(1, registry.get("scaleblocks.session.store.latency").tag("operation", "save")
        .tag("outcome", "success").timer().count());
  }

  @Test
  void bindingWhileTheDatabaseIsDownSucceedsAndKeepsTheActiveGauge() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
    config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + closedPort + "/scaleblocks");
    config.setInitializationFailTimeout(-1);
    config.setConnectionTimeout(500);
    com.zaxxer.hikari.HikariDataSource down = new com.zaxxer.hikari.HikariDataSource(config);
    SessionStore store = io.scaleblocks.session.jdbc.JdbcSessionStores
        .builder(down, io.scaleblocks.session.jdbc.Dialect.POSTGRESQL).cleanupInterval(Duration.ZERO).build();
    assertThrows(SessionStoreException.class, store::activeSessions, "the database is really down");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new SessionStoreMetrics(store).bindTo(registry);
    assertEquals(Double.NaN, registry.get("scaleblocks.session.active").gauge().value(), "no count while down");
    assertThrows(SessionStoreException.class, () -> store.find(store.create().id()));
    assertEquals(1, registry.get("scaleblocks.session.store.latency").tag("operation", "find")
        .tag("outcome", "failure").timer().count());
    store.close();
    down.close();
  }
}
