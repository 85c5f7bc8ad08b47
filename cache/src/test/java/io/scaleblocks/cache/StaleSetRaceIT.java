package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.cache.redis.RedisCacheBackends;
import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/**
 * The stale-set race of {@link StaleSetRaceTest} with Redis behind the cache: leases keep old
 * values out of Redis as well as out of the local tier; without them Redis keeps stale values.
 */
class StaleSetRaceIT {

  private final List<RedisClient> clients = new ArrayList<>();

  private Supplier<CacheBackend<Integer, Integer>> redis() {
    RequireServer.redis();
    var address = ServerAddresses.addressOf(ServerAddresses.redisUrl());
    String prefix = "it:stale:" + UUID.randomUUID() + ":";
    return () -> {
      RedisClient jedis = RedisCacheBackends.standalone(new HostAndPort(address.getHostString(), address.getPort()),
          Duration.ofSeconds(2));
      clients.add(jedis);
      Codec<Integer> ints = Codec.of(i -> Integer.toString(i).getBytes(java.nio.charset.StandardCharsets.UTF_8),
          b -> Integer.valueOf(new String(b, java.nio.charset.StandardCharsets.UTF_8)));
      return RedisCacheBackends.builder(jedis, ints, ints).prefix(prefix).build();
    };
  }

  @AfterEach
  void closeClients() {
    clients.forEach(RedisClient::close);
  }

  @Test
  void leasesLeaveNoStaleEntriesInEitherTier() throws Exception {
    assertEquals(0, StaleSetRaceTest.staleEntriesAfterRace(true, 3, redis()));
  }

  @Test
  void plainCacheAsideOverRedisLeavesStaleEntries() throws Exception {
    int stale = StaleSetRaceTest.staleEntriesAfterRace(false, 3, redis());
    System.out.println("plain cache-aside over Redis: " + stale + " stale entries (local + Redis) after the race");
    assertTrue(stale > 0);
  }
}
