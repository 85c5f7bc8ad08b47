package io.scaleblocks.session.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.session.MutableClock;
import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionAttribute;
import io.scaleblocks.session.SessionCodecException;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStoreConfig;
import io.scaleblocks.session.SessionStoreException;
import io.scaleblocks.testkit.RequireServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.providers.PooledConnectionProvider;

/**
 * What a real Redis shows when another request or a fault comes between the round trips of one
 * store call: a client that runs a hook right before a chosen script goes out.
 */
class RedisSessionStoreFaultIT {

  private static final SessionAttribute<String> USER = SessionAttribute.string("user");
  private static final SessionAttribute<String> CART = SessionAttribute.string("cart");

  private final MutableClock clock = new MutableClock();
  private HookedJedis jedis;
  private SessionStore store;
  private String prefix;

  @BeforeAll
  static void requireRedis() {
    RequireServer.redis();
  }

  @BeforeEach
  void open() {
    jedis = new HookedJedis();
    prefix = "sbtest:" + UUID.randomUUID() + ":";
    store = RedisSessionStores.builder(jedis).config(SessionStoreConfig.builder().name("faults")
        .idleTimeout(Duration.ofMinutes(10)).absoluteTimeout(Duration.ofMinutes(60)).build())
        .clock(clock).keyPrefix(prefix).principalIndex(true).build();
  }

  @AfterEach
  void close() {
    jedis.assertEveryHookRan();
    try (Jedis admin = RedisSessionStoreIT.admin()) {
      for (String key : admin.keys(prefix + "*")) {
        admin.del(key);
      }
    }
    jedis.close();
  }

  @Test
  void aPrincipalLookupDuringALoginSaveDoesNotDropTheSessionFromTheIndex() {
    Session s = store.create();
    store.save(s);
    Session login = store.find(s.id()).orElseThrow();
    login.setPrincipal("ada");
    jedis.before("save.lua", () -> store.findIdsByPrincipal("ada"));
    store.save(login);

    assertEquals(List.of(login.id()), store.findIdsByPrincipal("ada"));
  }

  @Test
  void aPrincipalLookupDuringARotationDoesNotDropTheNewIdFromTheIndex() {
    Session s = store.create();
    s.setPrincipal("ada");
    store.save(s);
    Session loaded = store.find(s.id()).orElseThrow();
    jedis.before("rename.lua", () -> store.findIdsByPrincipal("ada"));
    store.changeId(loaded);

    assertEquals(List.of(loaded.id()), store.findIdsByPrincipal("ada"));
  }

  @Test
  void anOutageAfterTheRenameKeepsTheSessionUnderTheHandlesId() {
    Session s = store.create();
    s.setPrincipal("ada");
    store.save(s);
    Session loaded = store.find(s.id()).orElseThrow();
    jedis.after("rename.lua", () -> jedis.failNext("index-read.lua"));
    try {
      store.changeId(loaded);
    } catch (SessionStoreException e) {
      // reported as an outage: then the session must still be where the handle says it is
    }

    assertTrue(store.find(loaded.id()).isPresent(), "the session is lost: stored under an id no handle has");
  }

  @Test
  void aRotationBetweenTheIndexReadAndTheDeletesOfLogOutEverywhereIsDeletedByTheNextPass() {
    Session s = store.create();
    s.setPrincipal("ada");
    store.save(s);
    Session rotating = store.find(s.id()).orElseThrow();
    jedis.before("delete-owned.lua", () -> store.changeId(rotating));

    assertEquals(1, store.deleteByPrincipal("ada"));
    assertEquals(Optional.empty(), store.find(rotating.id()), "the rotated session outlived deleteByPrincipal");
    assertEquals(Optional.empty(), store.find(s.id()));
    try (Jedis admin = RedisSessionStoreIT.admin()) {
      assertEquals(0, admin.zcard(prefix + "principal:ada"), "index members left");
    }
  }

  @Test
  void logOutEverywhereThatKeepsFindingNewSessionsThrowsInsteadOfReturning() {
    Session s = store.create();
    s.setPrincipal("ada");
    store.save(s);
    Runnable[] login = new Runnable[1];
    login[0] = () -> {
      Session other = store.create();
      other.setPrincipal("ada");
      store.save(other);
      jedis.before("delete-owned.lua", login[0]);
    };
    jedis.before("delete-owned.lua", login[0]);

    SessionStoreException e = assertThrows(SessionStoreException.class, () -> store.deleteByPrincipal("ada"));
    assertTrue(e.getMessage().contains("could not finish after " + RedisSessionStore.MAX_LOG_OUT_PASSES + " passes"),
        e.getMessage());
    assertEquals(Optional.empty(), store.find(s.id()), "a session deleted before it gave up came back");
    jedis.before("delete-owned.lua", null);  // the login armed for a pass that the give-up never makes
  }

  @Test
  void anOutageBetweenTheIndexAddAndTheRenameKeepsTheHandlesIdAndLeavesNoListedGhost() {
    Session s = store.create();
    s.setPrincipal("ada");
    store.save(s);
    Session loaded = store.find(s.id()).orElseThrow();
    String before = loaded.id();
    jedis.after("index-add.lua", () -> jedis.failNext("rename.lua"));
    assertThrows(SessionStoreException.class, () -> store.changeId(loaded));

    assertEquals(before, loaded.id(), "the handle moved to an id the session never had");
    assertTrue(store.find(before).isPresent());
    assertEquals(List.of(before), store.findIdsByPrincipal("ada"), "the new id's member is listed as a session");
    assertEquals(1, store.deleteByPrincipal("ada"));
    assertEquals(Optional.empty(), store.find(before));
    assertEquals(List.of(), store.findIdsByPrincipal("ada"));
  }

  @Test
  void aSaveReportedFailedByAnOutageWasNotApplied() {
    Session s = store.create();
    s.setPrincipal("ada");
    s.set(CART, "empty");
    store.save(s);
    Session loaded = store.find(s.id()).orElseThrow();
    loaded.setPrincipal("bob");
    loaded.set(CART, "full");
    jedis.after("save.lua", () -> jedis.failNext("index-read.lua"));
    boolean failed = false;
    try {
      store.save(loaded);
    } catch (SessionStoreException e) {
      failed = true;
    }

    Session after = store.find(s.id()).orElseThrow();
    if (failed) {
      assertEquals(Optional.of("empty"), after.get(CART), "a save reported as failed was applied");
    } else {
      assertEquals(Optional.of("full"), after.get(CART));
      assertEquals(List.of(s.id()), store.findIdsByPrincipal("bob"));
      assertEquals(List.of(), store.findIdsByPrincipal("ada"));
    }
  }

  @Test
  void aGarbledVersionFieldFailsOnlyThatAttributeNamingSessionAndAttribute() {
    Session s = store.create();
    s.set(USER, "ada");
    s.set(CART, "empty");
    store.save(s);
    try (Jedis admin = RedisSessionStoreIT.admin()) {
      admin.hset(((RedisSessionStore) store).keyOf(s.id()), bytes("v:cart"), bytes("twelve"));
    }

    Session found = store.find(s.id()).orElseThrow();
    assertEquals(Optional.of("ada"), found.get(USER));
    SessionCodecException e = assertThrows(SessionCodecException.class, () -> found.get(CART));
    assertTrue(e.getMessage().contains("cart"), e.getMessage());
    assertTrue(e.getMessage().contains(s.id().substring(0, 4)), e.getMessage());

    found.set(CART, "full");
    store.save(found);
    assertEquals(Optional.of("full"), store.find(s.id()).orElseThrow().get(CART));
  }

  @Test
  void aGarbledVersionFieldCanBeRemoved() {
    Session s = store.create();
    s.set(CART, "empty");
    store.save(s);
    try (Jedis admin = RedisSessionStoreIT.admin()) {
      admin.hset(((RedisSessionStore) store).keyOf(s.id()), bytes("v:cart"), bytes(""));
    }
    Session found = store.find(s.id()).orElseThrow();
    found.remove(CART);
    store.save(found);
    assertEquals(Optional.empty(), store.find(s.id()).orElseThrow().get(CART));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A standalone client that runs a hook once right before, or right after, a script by name. */
  static final class HookedJedis extends UnifiedJedis {
    private String beforeScript;
    private Runnable beforeHook;
    private String afterScript;
    private Runnable afterHook;
    private String failScript;

    @SuppressWarnings("deprecation") // the one public constructor that takes a provider, as a subclass needs
    HookedJedis() {
      super(new PooledConnectionProvider(RedisFixture.standalone(), RedisFixture.clientConfig()), 1,
          Duration.ofSeconds(1));
    }

    synchronized void before(String script, Runnable hook) {
      beforeScript = sha(script);
      beforeHook = hook;
    }

    synchronized void after(String script, Runnable hook) {
      afterScript = sha(script);
      afterHook = hook;
    }

    synchronized void failNext(String script) {
      failScript = sha(script);
    }

    /** A hook that never ran means the test did not set up the interleaving it is about. */
    synchronized void assertEveryHookRan() {
      assertNull(beforeHook, "a hook before a script never ran");
      assertNull(afterHook, "a hook after a script never ran");
      assertNull(failScript, "a script meant to fail was never run");
    }

    @Override
    public Object evalsha(byte[] sha1, List<byte[]> keys, List<byte[]> args) {
      String sha = new String(sha1, StandardCharsets.US_ASCII);
      if (sha.equals(failScript)) {
        failScript = null;
        throw new JedisConnectionException("injected outage");
      }
      once(sha, beforeScript, h -> beforeHook = null, beforeHook);
      Object reply = super.evalsha(sha1, keys, args);
      once(sha, afterScript, h -> afterHook = null, afterHook);
      return reply;
    }

    @Override
    public Object eval(byte[] script, List<byte[]> keys, List<byte[]> args) {
      String sha = shaOf(script);
      if (sha.equals(failScript)) {
        failScript = null;
        throw new JedisConnectionException("injected outage");
      }
      Object reply = super.eval(script, keys, args);
      once(sha, afterScript, h -> afterHook = null, afterHook);
      return reply;
    }

    private void once(String sha, String wanted, Consumer<Void> clear, Runnable hook) {
      if (hook != null && sha.equals(wanted)) {
        clear.accept(null);
        hook.run();
      }
    }

    /** The SHA-1 of a script as the store sends it (the shared prelude first). */
    private static String sha(String script) {
      return LuaScript.load(script).sha1Hex();
    }

    private static String shaOf(byte[] source) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
