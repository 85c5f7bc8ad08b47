package io.scaleblocks.session.redis;

import io.scaleblocks.session.MutableClock;
import io.scaleblocks.session.SessionIds;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStoreConfig;
import io.scaleblocks.session.SessionStoreContract;
import io.scaleblocks.testkit.RequireServer;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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

  @Override
  protected int rotationRounds() {
    return 10;
  }
}
