package io.scaleblocks.session.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scaleblocks.session.MutableClock;
import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionIds;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStoreConfig;
import io.scaleblocks.session.SessionStoreContract;
import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;

/** The contract on a real 3-master Redis Cluster: rotations rename within one slot. */
class RedisClusterSessionStoreIT extends SessionStoreContract {

  private static RedisClusterClient cluster;
  private String prefix;

  @BeforeAll
  static void connect() {
    RequireServer.redisCluster();
    cluster = RedisFixture.clusterClient();
  }

  @AfterAll
  static void disconnect() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected SessionStore newStore(SessionStoreConfig config, SessionIds ids, MutableClock clock) {
    prefix = "sbtest:" + UUID.randomUUID() + ":";
    return RedisSessionStores.builder(cluster).config(config).ids(ids).clock(clock).keyPrefix(prefix).build();
  }

  @Test
  void logOutEverywhereRacingRotationsLeavesNoSessionOfThePrincipalAndAnEmptyIndex() throws Exception {
    LogOutEverywhereRace.run(store, "racer", 200, 3, () -> cluster.zcard(prefix + "principal:racer"));
  }

  @Test
  void aSessionUnderAnIdOfAnotherLengthKeepsItsSlotWhenRotatedWithLaxIds() {
    SessionStoreConfig lax = SessionStoreConfig.builder().name("lax").strictIds(false).build();
    SessionStore earlier = RedisSessionStores.builder(cluster).config(lax).ids(SessionIds.secure(128)).clock(clock)
        .keyPrefix(prefix).build();
    Session s = earlier.create();
    s.set(USER, "ada");
    earlier.save(s);
    String old = s.id();
    SessionStore now = RedisSessionStores.builder(cluster).config(lax).clock(clock).keyPrefix(prefix).build();
    Session found = now.find(old).orElseThrow();
    now.changeId(found);
    assertEquals(SessionIds.tagOf(old), SessionIds.tagOf(found.id()));
    assertEquals(Optional.empty(), now.find(old));
    assertEquals(Optional.of("ada"), now.find(found.id()).orElseThrow().get(USER));
  }

  /**
   * A session under a foreign id whose tag is not of the id alphabet (shorter than the tag, or a
   * {@code .} in it), as lax ids accept, written in the store's hash format: a rotation moves it,
   * and Redis itself puts the new key in the old key's slot.
   */
  @Test
  void aSessionUnderAForeignIdWithoutATagOfTheAlphabetIsRotatedWithinItsSlot() {
    SessionStoreConfig lax = SessionStoreConfig.builder().name("lax").strictIds(false).build();
    RedisSessionStore now = (RedisSessionStore) RedisSessionStores.builder(cluster).config(lax).clock(clock)
        .keyPrefix(prefix).build();
    InetSocketAddress node = ServerAddresses.redisClusterNodes().get(0);
    try (Jedis any = new Jedis(node.getHostString(), node.getPort())) {
      for (String foreign : List.of("a.b.c", "ab", "x", ".abcdef", "....", "node1.x7", "A-_.", "9.")) {
        Session s = now.create();
        s.set(USER, "ada-" + foreign);
        now.save(s);
        byte[] saved = now.keyOf(s.id());
        byte[] imported = now.keyOf(foreign);
        Map<byte[], byte[]> hash = cluster.hgetAll(saved);
        cluster.hset(imported, hash);
        cluster.pexpire(imported, cluster.pttl(saved));
        cluster.del(saved);

        Session found = now.find(foreign).orElseThrow();
        now.changeId(found);
        assertEquals(Optional.empty(), now.find(foreign), foreign);
        assertEquals(Optional.of("ada-" + foreign), now.find(found.id()).orElseThrow().get(USER), foreign);
        assertEquals(any.clusterKeySlot(new String(imported, StandardCharsets.UTF_8)),
            any.clusterKeySlot(new String(now.keyOf(found.id()), StandardCharsets.UTF_8)),
            foreign + " -> " + found.id());
      }
    }
  }

  @Override
  protected int rotationRounds() {
    return 10;
  }
}
