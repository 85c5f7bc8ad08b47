package io.scaleblocks.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.cache.CacheAside;
import io.scaleblocks.cache.CacheBackend;
import io.scaleblocks.cache.Codec;
import io.scaleblocks.cache.InvalidationListener;
import io.scaleblocks.testkit.Await;
import io.scaleblocks.testkit.RedisServerProcess;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/** Two instances with near caches stay coherent through Redis pub/sub. */
class NearCacheIT {

  private final ConcurrentHashMap<String, String> db = new ConcurrentHashMap<>();

  private CacheAside<String, String> instance(UnifiedJedis jedis, String prefix, String name, Duration staleness) {
    return instance(backend(jedis, prefix, name), name, staleness);
  }

  private static CacheBackend<String, String> backend(UnifiedJedis jedis, String prefix, String name) {
    return RedisCacheBackends.builder(jedis, Codec.utf8(), Codec.utf8())
        .prefix(prefix).name(name).circuitBreaker(3, Duration.ofMillis(200)).build();
  }

  private CacheAside<String, String> instance(CacheBackend<String, String> backend, String name, Duration staleness) {
    return CacheAside.<String, String>builder(key -> Optional.ofNullable(db.get(key)))
        .name(name).backend(backend).earlyRefresh(0).nearCacheStaleness(staleness).recordStats().build();
  }

  /** Notes when b's subscriber thread received each invalidation, before b's near cache applies it. */
  private static final class Probe implements InvalidationListener<String> {
    volatile long heardAt;

    @Override
    public void invalidated(String key) {
      heardAt = System.nanoTime();
    }

    @Override
    public void disconnected(Predicate<? super String> covers) {
    }

    @Override
    public void reconnected(Predicate<? super String> covers) {
    }
  }

  /**
   * The delay measured is the invalidation's: from a's {@code invalidate} until b stops serving
   * the old value. b's reload of the new value (four more round trips: GET, lease, GET, fill) is
   * printed but not part of it. The reader yields while it waits: spinning would take one of the
   * machine's two cores from the subscriber thread it waits for. Each round also records when b's
   * subscriber received the message, to tell delivery from what b does with it.
   *
   * <p>Why the bound is kept at 50 ms: at load 13-14 on the shared 2-core machine this measured
   * p99 8.0 and 12.9 ms, of which delivery to b's subscriber p99 5.1 and 12.8 ms, and the step
   * from the subscriber to the reader p50 48-126 us: no per-message work or timer of ours shows,
   * the tail is the scheduler. The earlier form of this test, which spun and counted b's reload,
   * gave p99 21.5 and 22.3 ms at the same load (48-65 ms at load 15-19); its reload alone was
   * p99 9-21 ms here.
   */
  @Test
  void anInvalidationReachesAnotherInstanceWithinFiftyMillisecondsAtP99() {
    String prefix = "it:near:" + UUID.randomUUID() + ":";
    try (UnifiedJedis jedisA = RedisCacheBackendIT.connect("standalone");
         UnifiedJedis jedisB = RedisCacheBackendIT.connect("standalone")) {
      CacheAside<String, String> a = instance(jedisA, prefix, "a", Duration.ofSeconds(1));
      CacheBackend<String, String> backendB = backend(jedisB, prefix, "b");
      Probe probe = new Probe();
      backendB.subscribe(probe);
      CacheAside<String, String> b = instance(backendB, "b", Duration.ofSeconds(1));
      db.put("k", "v0");
      try (redis.clients.jedis.Jedis admin = new redis.clients.jedis.Jedis(java.net.URI.create(io.scaleblocks.testkit.ServerAddresses.redisUrl()))) {
        Await.until("a and b to subscribe", Duration.ofSeconds(5), () -> admin.pubsubNumSub(prefix + "invalidations")
            .getOrDefault(prefix + "invalidations", 0L) >= 2);
      }
      Await.until("b to read k", Duration.ofSeconds(5), () -> b.get("k").equals(Optional.of("v0")));
      int rounds = 300;
      long[] micros = new long[rounds];
      long[] delivered = new long[rounds];
      long[] applied = new long[rounds];
      long[] reloads = new long[rounds];
      for (int i = 1; i <= rounds; i++) {
        String old = "v" + (i - 1);
        String value = "v" + i;
        assertEquals(Optional.of(old), b.get("k"));
        db.put("k", value);
        probe.heardAt = 0;
        long start = System.nanoTime();
        a.invalidate("k");
        long deadline = start + 2_000_000_000L;
        while (b.getIfPresent("k").equals(Optional.of(old))) {
          assertTrue(System.nanoTime() < deadline, "round " + i + ": b kept serving " + old);
          Thread.yield();
        }
        long end = System.nanoTime();
        long heard = probe.heardAt;
        micros[i - 1] = (end - start) / 1_000;
        delivered[i - 1] = heard == 0 ? micros[i - 1] : (heard - start) / 1_000;
        applied[i - 1] = heard == 0 ? 0 : (end - heard) / 1_000;
        assertEquals(Optional.of(value), b.get("k"));
        reloads[i - 1] = (System.nanoTime() - end) / 1_000;
      }
      Arrays.sort(micros);
      Arrays.sort(delivered);
      Arrays.sort(applied);
      Arrays.sort(reloads);
      long p50 = micros[rounds / 2];
      long p99 = micros[rounds * 99 / 100];
      System.out.printf("near-cache invalidation a -> b over %d rounds: p50 %d us, p99 %d us, max %d us;"
          + " of which delivery to b's subscriber p50 %d us, p99 %d us; b's reader seeing it p50 %d us, p99 %d us;"
          + " then b's reload (not counted) p50 %d us, p99 %d us%n",
          rounds, p50, p99, micros[rounds - 1], delivered[rounds / 2], delivered[rounds * 99 / 100],
          applied[rounds / 2], applied[rounds * 99 / 100], reloads[rounds / 2], reloads[rounds * 99 / 100]);
      assertTrue(p99 <= 50_000, "p99 " + p99 + " us");
      a.close();
      b.close();
    }
  }

  @Test
  void afterLosingTheChannelLocalEntriesAreServedNoLongerThanTheBoundAndClearedOnReconnect() throws Exception {
    String prefix = "it:near:" + UUID.randomUUID() + ":";
    try (RedisServerProcess server = RedisServerProcess.start(16400, 16500);
         RedisClient jedis = RedisCacheBackends.standalone(new HostAndPort("127.0.0.1", server.port()), Duration.ofMillis(100));
         redis.clients.jedis.Jedis admin = new redis.clients.jedis.Jedis("127.0.0.1", server.port())) {
      CacheAside<String, String> b = instance(jedis, prefix, "b", Duration.ofMillis(300));
      db.put("k", "v1");
      Await.until("b to cache k", Duration.ofSeconds(5), () -> b.get("k").equals(Optional.of("v1")));
      Await.until("b to subscribe", Duration.ofSeconds(5), () -> admin.pubsubNumSub(prefix + "invalidations")
          .getOrDefault(prefix + "invalidations", 0L) > 0);

      // A write whose invalidation b misses because its channel is being cut.
      db.put("k", "v2");
      admin.del(prefix + "{k}");
      admin.clientKill(redis.clients.jedis.params.ClientKillParams.clientKillParams()
          .type(redis.clients.jedis.args.ClientType.PUBSUB));
      Await.until("b to clear its near cache on reconnect", Duration.ofSeconds(5),
          () -> b.get("k").equals(Optional.of("v2")));

      // The server dies: b keeps its local copy for at most the staleness bound, then reads the loader.
      db.put("k", "v3");
      long killed = System.nanoTime();
      server.kill();
      Await.until("b to stop serving its stale copy", Duration.ofSeconds(5), () -> b.get("k").equals(Optional.of("v3")));
      long staleMillis = (System.nanoTime() - killed) / 1_000_000;
      System.out.println("near cache served a stale copy for " + staleMillis + " ms after the server died");
      assertTrue(staleMillis < 300 + 500, "stale for " + staleMillis + " ms");
      assertEquals(Optional.of("v3"), b.get("k"));
      b.close();
    }
  }
}
