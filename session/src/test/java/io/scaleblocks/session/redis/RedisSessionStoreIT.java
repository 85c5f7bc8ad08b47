package io.scaleblocks.session.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.session.MutableClock;
import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionAttribute;
import io.scaleblocks.session.SessionIds;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStoreConfig;
import io.scaleblocks.session.SessionStoreContract;
import io.scaleblocks.session.SessionStoreException;
import io.scaleblocks.session.SessionStores;
import io.scaleblocks.testkit.Await;
import io.scaleblocks.testkit.RequireServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** The contract on a real standalone Redis, and what only Redis can show: round trips, TTLs. */
class RedisSessionStoreIT extends SessionStoreContract {

  private static RedisClient client;
  private String prefix;

  @BeforeAll
  static void connect() {
    RequireServer.redis();
    client = RedisFixture.standaloneClient();
  }

  @AfterAll
  static void disconnect() {
    if (client != null) {
      client.close();
    }
  }

  @Override
  protected SessionStore newStore(SessionStoreConfig config, SessionIds ids, MutableClock clock) {
    prefix = "sbtest:" + UUID.randomUUID() + ":";
    return RedisSessionStores.builder(client).config(config).ids(ids).clock(clock).keyPrefix(prefix).build();
  }

  @AfterEach
  void removeKeys() {
    try (Jedis jedis = admin()) {
      for (String key : keys(jedis, "sbtest:*")) {
        jedis.del(key);
      }
    }
  }

  static Jedis admin() {
    return new Jedis(RedisFixture.standalone(), redis.clients.jedis.DefaultJedisClientConfig.builder()
        .socketTimeoutMillis(5_000).protocol(redis.clients.jedis.RedisProtocol.RESP2).build());
  }

  private static java.util.List<String> keys(Jedis jedis, String pattern) {
    java.util.List<String> keys = new java.util.ArrayList<>();
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = jedis.scan(cursor, new ScanParams().match(pattern).count(1000));
      keys.addAll(page.getResult());
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    return keys;
  }

  /** What the store's scripts call inside Redis, which {@code INFO commandstats} counts as well. */
  private static final java.util.Set<String> INSIDE_SCRIPTS = java.util.Set.of("hmget", "hset", "pexpire", "hgetall",
      "del", "exists", "hexists", "hget", "hincrby", "hdel", "zadd", "zrange", "zremrangebyscore", "zrem", "rename", "info");

  /**
   * Round trips clients made, from {@code INFO commandstats}: every {@code EVALSHA} and {@code
   * EVAL}, plus any other command sent from outside a script (none, if the store is right).
   */
  static long commands(Jedis jedis) {
    long total = 0;
    for (String line : jedis.info("commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_")) {
        String command = line.substring(8, line.indexOf(':'));
        int at = line.indexOf("calls=") + 6;
        long calls = Long.parseLong(line.substring(at, line.indexOf(',', at)));
        if (!INSIDE_SCRIPTS.contains(command)) {
          total += calls;
        }
      }
    }
    return total;
  }

  @Test
  void aFindAndTouchCostsOneRoundTripAChangeOneMoreAndACreateOne() {
    SessionStore real = RedisSessionStores.builder(client).config(config()).clock(Clock.systemUTC())
        .keyPrefix(prefix).build();
    Session warm = real.create();
    real.save(warm);
    real.find(warm.id());
    try (Jedis admin = admin()) {
      long before = commands(admin);
      Session s = real.create();
      s.set(USER, "ada");
      real.save(s);
      assertEquals(1, commands(admin) - before, "create");

      before = commands(admin);
      Session found = real.find(s.id()).orElseThrow();
      real.save(found);
      assertEquals(1, commands(admin) - before, "find and touch, nothing changed");

      before = commands(admin);
      found = real.find(s.id()).orElseThrow();
      found.set(COUNT, 1L);
      found.remove(USER);
      real.save(found);
      assertEquals(2, commands(admin) - before, "find, touch and change two attributes");

      before = commands(admin);
      assertTrue(real.touch(s.id()));
      assertEquals(1, commands(admin) - before, "touch");
    }
  }

  @Test
  void principalChangesAndALoginCostTheRoundTripsTheReadmeGives() {
    SessionStore real = RedisSessionStores.builder(client).config(config()).clock(Clock.systemUTC())
        .keyPrefix(prefix).build();
    Session warm = real.create();
    real.save(warm);
    real.find(warm.id());
    try (Jedis admin = admin()) {
      Session s = real.create();
      real.save(s);
      long before = commands(admin);
      s.setPrincipal("ada");
      real.save(s);
      assertEquals(2, commands(admin) - before, "first principal: index add + save");

      before = commands(admin);
      s.setPrincipal("bob");
      real.save(s);
      assertEquals(3, commands(admin) - before, "principal ada to bob: index add + save + index remove");

      before = commands(admin);
      real.changeId(s);
      assertEquals(3, commands(admin) - before, "changeId with a principal: index add + rename + index remove");

      Session anonymous = real.create();
      real.save(anonymous);
      before = commands(admin);
      anonymous.setPrincipal("cy");
      real.changeId(anonymous);
      real.save(anonymous);
      assertEquals(3, commands(admin) - before, "login of an anonymous session: rename + index add + save");
    }
  }

  @Test
  void aSessionHashWithAGarbledOrMissingTimingFieldReadsAsAbsentAndIsDeleted() {
    Session garbled = store.create();
    garbled.setPrincipal("ada");
    store.save(garbled);
    Session missing = store.create();
    store.save(missing);
    RedisSessionStore redis = (RedisSessionStore) store;
    try (Jedis admin = admin()) {
      admin.hset(redis.keyOf(garbled.id()), "_a".getBytes(StandardCharsets.UTF_8),
          "soon".getBytes(StandardCharsets.UTF_8));
      admin.hdel(redis.keyOf(missing.id()), "_i".getBytes(StandardCharsets.UTF_8));
      assertEquals(java.util.List.of(), store.findIdsByPrincipal("ada"));
      assertEquals(Optional.empty(), store.find(garbled.id()));
      assertFalse(store.touch(missing.id()));
      assertFalse(admin.exists(redis.keyOf(garbled.id())));
      assertFalse(admin.exists(redis.keyOf(missing.id())));
    }
  }

  @Test
  void logOutEverywhereRacingRotationsLeavesNoSessionOfThePrincipalAndAnEmptyIndex() throws Exception {
    try (Jedis jedis = admin()) {
      LogOutEverywhereRace.run(store, "racer", 200, 3, () -> jedis.zcard(prefix + "principal:racer"));
    }
  }

  @Test
  void aRotationByAStaleHandleIndexesTheNewIdUnderTheStoredPrincipal() {
    Session s = store.create();
    s.setPrincipal("ada");
    store.save(s);
    Session stale = store.find(s.id()).orElseThrow();
    Session other = store.find(s.id()).orElseThrow();
    other.setPrincipal("bob");
    store.save(other);
    store.changeId(stale);
    assertEquals(java.util.List.of(stale.id()), store.findIdsByPrincipal("bob"));
    assertEquals(java.util.List.of(), store.findIdsByPrincipal("ada"));
    assertEquals(1, store.deleteByPrincipal("bob"));
    assertEquals(Optional.empty(), store.find(stale.id()));
  }

  @Test
  void aRotationThatFindsTheSessionPastItsDeadlineCountsItExpiredLikeTheOtherCalls() {
    Session s = saved("ada");
    clock.advance(IDLE);
    assertThrows(io.scaleblocks.session.SessionConflictException.class, () -> store.changeId(s));
    try (Jedis admin = admin()) {
      assertTrue(keys(admin, prefix + "{*").isEmpty(), "the rotation removed the expired hash");
    }
    assertEquals(1, store.stats().expired(), "the one call that saw it expired counted it");
  }

  @Test
  void redisRemovesAnExpiredSessionPhysicallyWithinItsTtlAndASecond() {
    SessionStore real = RedisSessionStores.builder(client).config(SessionStoreConfig.builder()
        .idleTimeout(Duration.ofMillis(800)).absoluteTimeout(Duration.ofMinutes(5)).build())
        .keyPrefix(prefix).build();
    Session s = real.create();
    s.set(USER, "ada");
    real.save(s);
    byte[] key = ((RedisSessionStore) real).keyOf(s.id());
    try (Jedis admin = admin()) {
      long ttl = admin.pttl(key);
      assertTrue(ttl > 0 && ttl <= 800, "ttl " + ttl);
      long start = System.nanoTime();
      Await.until("Redis to remove the expired hash", Duration.ofMillis(800 + 1000), () -> !admin.exists(key));
      assertTrue(System.nanoTime() - start < Duration.ofMillis(1800).toNanos());
    }
    assertEquals(Optional.empty(), real.find(s.id()));
  }

  @Test
  void noPrincipalIndexKeyOrSessionIsLeftAfterTenThousandSessionsExpire() {
    SessionStore real = RedisSessionStores.builder(client).config(SessionStoreConfig.builder()
        .idleTimeout(Duration.ofSeconds(20)).absoluteTimeout(Duration.ofSeconds(20)).build())
        .keyPrefix(prefix).build();
    // 20 s: the 10,000 creates (20,000 round trips) must all finish before the first expires, on a loaded machine too
    for (int i = 0; i < 10_000; i++) {
      Session s = real.create();
      s.setPrincipal("user-" + (i % 100));
      real.save(s);
    }
    try (Jedis admin = admin()) {
      assertEquals(100, keys(admin, prefix + "principal:*").size());
      assertEquals(100, real.findIdsByPrincipal("user-7").size());
      Await.until("every session and index key to expire", Duration.ofSeconds(30),
          () -> keys(admin, prefix + "*").isEmpty());
    }
    assertEquals(0, real.findIdsByPrincipal("user-7").size());
  }

  @Test
  void aHungRedisGivesAClearExceptionAndLosesNothingSavedBefore() throws Exception {
    SessionStore real = RedisSessionStores.builder(client).config(config()).keyPrefix(prefix).build();
    Session s = real.create();
    s.set(USER, "saved before");
    real.save(s);
    Thread sleeper = new Thread(() -> {
      try (Jedis admin = admin()) {
        redis.clients.jedis.commands.ProtocolCommand debug = () -> "DEBUG".getBytes(StandardCharsets.US_ASCII);
        admin.sendCommand(debug, "SLEEP", "1.5");
      } catch (RuntimeException e) {
        // the sleep ends the reply or the test; either way Redis wakes up
      }
    });
    sleeper.start();
    Thread.sleep(200);
    SessionStoreException e = assertThrows(SessionStoreException.class, () -> real.find(s.id()));
    assertTrue(e.getMessage().startsWith(real.name() + " - Redis find failed"), e.getMessage());
    sleeper.join();
    Session after = real.find(s.id()).orElseThrow();
    assertEquals(Optional.of("saved before"), after.get(USER));
  }

  @Test
  void redisStoppedUnderLoadGivesAClearExceptionAndA503AndServesAgainWhenItReturns() throws Exception {
    SessionStore real = RedisSessionStores.builder(client).config(config()).keyPrefix(prefix).build();
    try (io.scaleblocks.session.httpserver.SessionWebApp app =
        new io.scaleblocks.session.httpserver.SessionWebApp(real, Clock.systemUTC())) {
      java.net.http.HttpClient browser = io.scaleblocks.session.httpserver.SessionWebApp.browser();
      assertEquals("1", io.scaleblocks.session.httpserver.SessionWebApp.get(browser, app.uri("/count")).body());
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.ConcurrentHashMap<Integer, Integer> statuses = new java.util.concurrent.ConcurrentHashMap<>();
      Thread load = new Thread(() -> {
        while (!stop.get()) {
          int status = io.scaleblocks.session.httpserver.SessionWebApp.get(browser, app.uri("/count")).statusCode();
          statuses.merge(status, 1, Integer::sum);
        }
      });
      load.start();
      try {
        Thread.sleep(300);
        io.scaleblocks.testkit.Services.stop("redis");
        Await.until("a 503 while Redis is down", Duration.ofSeconds(10), () -> statuses.containsKey(503));
        SessionStoreException e = assertThrows(SessionStoreException.class, () -> real.find("AAAA" + "b".repeat(43)));
        assertTrue(e.getMessage().startsWith(real.name() + " - Redis find failed"), e.getMessage());
      } finally {
        io.scaleblocks.testkit.Services.start("redis");
      }
      int okBefore = statuses.getOrDefault(200, 0);
      Await.until("200s again once Redis is back", Duration.ofSeconds(10),
          () -> statuses.getOrDefault(200, 0) > okBefore + 3);
      stop.set(true);
      load.join();
      assertTrue(java.util.Set.of(200, 503).containsAll(statuses.keySet()), "only 200 and 503: " + statuses);
    }
  }

  @Test
  void aGarbledValueGivesACodecExceptionNamingTheAttributeWhenRead() {
    Session s = store.create();
    s.set(USER, "ada");
    store.save(s);
    byte[] key = ((RedisSessionStore) store).keyOf(s.id());
    try (Jedis admin = admin()) {
      admin.hset(key, "a:user".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xff, (byte) 0xfe});
    }
    Session found = store.find(s.id()).orElseThrow();
    var e = assertThrows(io.scaleblocks.session.SessionCodecException.class, () -> found.get(USER));
    assertEquals("user", e.attribute());
  }

  @Test
  void aSessionHashWithAGarbledOrMissingSequenceReadsAsAbsentAndIsDeletedLikeAGarbledTimingField() {
    for (String garbage : new String[] {"x", "12abc", "0x10", "1e3", null}) {
      String what = " with _s " + garbage;
      Session listed = garbledSequence(garbage, "grace");
      assertEquals(java.util.List.of(), store.findIdsByPrincipal("grace"), "listed" + what);

      Session found = garbledSequence(garbage, null);
      assertEquals(Optional.empty(), store.find(found.id()), "found" + what);
      assertFalse(exists(found), "left by the find" + what);

      Session saved = garbledSequence(garbage, null);
      saved.set(COUNT, 1L);
      var gone = assertThrows(io.scaleblocks.session.SessionConflictException.class, () -> store.save(saved),
          "saved" + what);
      assertEquals(io.scaleblocks.session.SessionConflictException.Reason.SESSION_GONE, gone.reason());
      assertFalse(exists(saved), "left by the save" + what);

      Session renamed = garbledSequence(garbage, null);
      String oldId = renamed.id();
      var refused = assertThrows(io.scaleblocks.session.SessionConflictException.class,
          () -> store.changeId(renamed), "renamed" + what);
      assertEquals(io.scaleblocks.session.SessionConflictException.Reason.SESSION_GONE, refused.reason());
      assertEquals(Optional.empty(), store.find(oldId), "found after a refused rotation" + what);
      store.delete(listed.id());
    }
  }

  /** A saved session, then loaded, whose {@code _s} field is set to {@code garbage} (removed for null). */
  private Session garbledSequence(String garbage, String principal) {
    Session s = store.create();
    s.set(USER, "ada");
    if (principal != null) {
      s.setPrincipal(principal);
    }
    store.save(s);
    Session loaded = store.find(s.id()).orElseThrow();
    byte[] key = ((RedisSessionStore) store).keyOf(s.id());
    byte[] field = "_s".getBytes(StandardCharsets.UTF_8);
    try (Jedis admin = admin()) {
      if (garbage == null) {
        admin.hdel(key, field);
      } else {
        admin.hset(key, field, garbage.getBytes(StandardCharsets.UTF_8));
      }
    }
    return loaded;
  }

  private boolean exists(Session s) {
    try (Jedis admin = admin()) {
      return admin.exists(((RedisSessionStore) store).keyOf(s.id()));
    }
  }

  @Test
  void theInMemoryAndRedisStoresAgreeOnAnAttributeRemovedBeforeTheFirstSave() {
    for (SessionStore each : new SessionStore[] {store, SessionStores.inMemory().build()}) {
      Session s = each.create();
      s.set(USER, "x");
      s.remove(USER);
      each.save(s);
      assertFalse(each.find(s.id()).orElseThrow().get(USER).isPresent());
    }
  }

  static SessionAttribute<String> attribute(String name) {
    return SessionAttribute.string(name);
  }
}
