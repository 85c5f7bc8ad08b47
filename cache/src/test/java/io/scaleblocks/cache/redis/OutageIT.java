package io.scaleblocks.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.cache.CacheAside;
import io.scaleblocks.cache.CacheBackend;
import io.scaleblocks.cache.Codec;
import io.scaleblocks.cache.Store;
import io.scaleblocks.cache.WriteStrategy;
import io.scaleblocks.testkit.Await;
import io.scaleblocks.testkit.RedisServerProcess;
import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.UnifiedJedis;

/**
 * Real outages of a real Redis: killed, frozen with SIGSTOP, and a blip during writes. The
 * frozen server is this build's own (its port offset's), always resumed in a {@code finally}.
 */
class OutageIT {

  private static final Duration STALENESS = Duration.ofMillis(300);
  private static final Duration HEARTBEAT = Duration.ofMillis(50);

  private final Map<String, String> db = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> loadsPerKey = new ConcurrentHashMap<>();

  private final Store<String, String> store = new Store<>() {
    @Override
    public void write(String key, String value) {
      db.put(key, value);
    }

    @Override
    public void delete(String key) {
      db.remove(key);
    }
  };

  private CacheAside<String, String> instance(UnifiedJedis jedis, String prefix, String name) {
    CacheBackend<String, String> backend = RedisCacheBackends.builder(jedis, Codec.utf8(), Codec.utf8())
        .prefix(prefix).name(name).circuitBreaker(3, Duration.ofMillis(200)).heartbeat(HEARTBEAT).build();
    return CacheAside.<String, String>builder(key -> {
      loadsPerKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      return Optional.ofNullable(db.get(key));
    }).name(name).backend(backend).earlyRefresh(0).nearCacheStaleness(STALENESS)
        .store(store, WriteStrategy.WRITE_AROUND).build();
  }

  private static UnifiedJedis client(int port) {
    return RedisCacheBackends.standalone(new HostAndPort("127.0.0.1", port), Duration.ofMillis(100));
  }

  private static int sharedRedisPort() {
    RequireServer.redis();
    return ServerAddresses.addressOf(ServerAddresses.redisUrl()).getPort();
  }

  private static void awaitSubscribed(CacheAside<String, String> cache, String key) {
    Await.until(cache.name() + " to answer from its near cache", Duration.ofSeconds(5), () -> {
      cache.get(key);
      return true;
    });
  }

  @Test
  void aKilledRedisUnderReadLoadSendsAtMostOneLoadPerKeyPerStalenessBound() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start(16400, 16500); UnifiedJedis jedis = client(redis.port())) {
      CacheAside<String, String> cache = instance(jedis, "it:outage:" + UUID.randomUUID() + ":", "reader");
      List<String> keys = List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9");
      keys.forEach(key -> db.put(key, "v-" + key));
      Thread.sleep(200);
      keys.forEach(cache::get);
      redis.kill();
      loadsPerKey.clear();
      long start = System.nanoTime();
      long reads = 0;
      while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2)) {
        for (String key : keys) {
          assertEquals(Optional.of("v-" + key), cache.get(key));
          reads++;
        }
      }
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      long bound = elapsedMillis / STALENESS.toMillis() + 2;
      for (String key : keys) {
        int loads = loadsPerKey.getOrDefault(key, new AtomicInteger()).get();
        assertTrue(loads <= bound, key + ": " + loads + " loads in " + elapsedMillis + " ms of outage, "
            + reads + " reads (bound " + bound + ")");
      }
      System.out.printf("killed Redis: %d reads of %d keys in %d ms, loads per key %s%n", reads, keys.size(),
          elapsedMillis, loadsPerKey);
      cache.close();
    }
  }

  @Test
  void aFrozenRedisDoesNotLetANearCacheServeAReplacedValuePastItsBound() throws Exception {
    int port = sharedRedisPort();
    long pid = sharedRedisPid(port);
    String prefix = "it:frozen:" + UUID.randomUUID() + ":";
    try (UnifiedJedis jedisA = client(port); UnifiedJedis jedisB = client(port)) {
      CacheAside<String, String> a = instance(jedisA, prefix, "a");
      CacheAside<String, String> b = instance(jedisB, prefix, "b");
      db.put("k", "v1");
      awaitSubscribed(b, "k");
      Thread.sleep(300);
      assertEquals(Optional.of("v1"), b.get("k"));
      long staleMillis;
      signal("STOP", pid);
      try {
        a.write("k", "v2");
        long written = System.nanoTime();
        long lastStale = written;
        while (System.nanoTime() - written < TimeUnit.SECONDS.toNanos(2)) {
          if (b.get("k").equals(Optional.of("v1"))) {
            lastStale = System.nanoTime();
          }
          Thread.sleep(1);
        }
        staleMillis = TimeUnit.NANOSECONDS.toMillis(lastStale - written);
      } finally {
        signal("CONT", pid);
      }
      // The bound, plus the three heartbeats that declare the channel silent, plus scheduling slack.
      long allowed = STALENESS.toMillis() + 3 * HEARTBEAT.toMillis() + 150;
      System.out.printf("frozen Redis: b served the replaced value for %d ms after the write (allowed %d)%n",
          staleMillis, allowed);
      assertTrue(staleMillis <= allowed, "stale for " + staleMillis + " ms, allowed " + allowed);
      Await.until("b to read v2 after the server resumes", Duration.ofSeconds(5),
          () -> b.get("k").equals(Optional.of("v2")));
      a.close();
      b.close();
    }
  }

  @Test
  void invalidationsDuringARedisBlipLeaveNoStaleReadAfterRecovery() throws Exception {
    int port = sharedRedisPort();
    long pid = sharedRedisPid(port);
    String prefix = "it:blip:" + UUID.randomUUID() + ":";
    try (UnifiedJedis jedisA = client(port); UnifiedJedis jedisB = client(port)) {
      CacheAside<String, String> a = instance(jedisA, prefix, "a");
      CacheAside<String, String> b = instance(jedisB, prefix, "b");
      int keys = 50;
      for (int i = 0; i < keys; i++) {
        db.put("k" + i, "v1");
      }
      awaitSubscribed(b, "k0");
      Thread.sleep(300);
      for (int i = 0; i < keys; i++) {
        assertEquals(Optional.of("v1"), b.get("k" + i));
      }
      signal("STOP", pid);
      try {
        for (int i = 0; i < keys; i++) {
          a.write("k" + i, "v2");
        }
      } finally {
        signal("CONT", pid);
      }
      try (UnifiedJedis admin = client(port)) {
        Await.until("the shared tier to drop every replaced entry", Duration.ofSeconds(10), () -> {
          for (int i = 0; i < keys; i++) {
            byte[] entry = admin.get(prefix.concat("{k" + i + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (entry != null && new String(entry, java.nio.charset.StandardCharsets.ISO_8859_1).contains("v1")) {
              return false;
            }
          }
          return true;
        });
      }
      Thread.sleep(STALENESS.toMillis() + 3 * HEARTBEAT.toMillis());
      int stale = 0;
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < keys; i++) {
          stale += b.get("k" + i).equals(Optional.of("v2")) ? 0 : 1;
          stale += a.get("k" + i).equals(Optional.of("v2")) ? 0 : 1;
        }
      }
      assertEquals(0, stale, "stale reads after recovery");
      a.close();
      b.close();
    }
  }

  @Test
  void writeBackWithAStoreThatRefusesOneRowStoresEveryOtherWrite() {
    int port = sharedRedisPort();
    String prefix = "it:refuse:" + UUID.randomUUID() + ":";
    Map<String, String> table = new ConcurrentHashMap<>();
    List<String> quarantined = new CopyOnWriteArrayList<>();
    Store<String, String> refusing = new Store<>() {
      @Override
      public void write(String key, String value) throws Exception {
        writeAll(Map.of(key, value));
      }

      @Override
      public void delete(String key) {
        table.remove(key);
      }

      @Override
      public void writeAll(Map<? extends String, ? extends String> entries) throws Exception {
        if (entries.containsKey("k13")) {
          throw new java.sql.SQLIntegrityConstraintViolationException("k13 violates a check constraint");
        }
        table.putAll(entries);
      }

      @Override
      public void deleteAll(Set<? extends String> keys) {
        keys.forEach(table::remove);
      }
    };
    try (UnifiedJedis jedisA = client(port); UnifiedJedis jedisB = client(port)) {
      CacheBackend<String, String> backend = RedisCacheBackends.builder(jedisA, Codec.utf8(), Codec.utf8())
          .prefix(prefix).name("writer").build();
      CacheAside<String, String> writer = CacheAside.<String, String>builder(key -> Optional.ofNullable(table.get(key)))
          .name("writer").backend(backend).earlyRefresh(0).store(refusing, WriteStrategy.WRITE_BACK)
          .writeBack(Duration.ofHours(1), 10_000).writeRetries(2, Duration.ZERO)
          .onQuarantine((key, cause) -> quarantined.add(key)).build();
      for (int i = 0; i < 200; i++) {
        writer.write("k" + i, "v" + i);
      }
      writer.flush();
      assertEquals(199, table.size(), "every other acknowledged write is stored");
      assertEquals(List.of("k13"), quarantined);
      assertEquals(1, writer.stats().quarantinedWrites());
      CacheBackend<String, String> other = RedisCacheBackends.builder(jedisB, Codec.utf8(), Codec.utf8())
          .prefix(prefix).name("reader").build();
      CacheAside<String, String> reader = CacheAside.<String, String>builder(key -> Optional.ofNullable(table.get(key)))
          .name("reader").backend(other).earlyRefresh(0).build();
      assertEquals(Optional.of("v42"), reader.get("k42"));
      var lost = Assertions.assertThrows(io.scaleblocks.cache.CacheWriteException.class, writer::close);
      assertTrue(lost.getMessage().endsWith("[k13]"), lost.getMessage());
      reader.close();
    }
  }

  /** The pid of this build's own standalone Redis, from the pidfile {@code scripts/services} writes. */
  private static long sharedRedisPid(int port) throws IOException {
    String offset = System.getenv("SCALEBLOCKS_PORT_OFFSET");
    String dir = System.getenv("SCALEBLOCKS_SERVICES_DIR");
    if (dir == null) {
      dir = offset == null || offset.isBlank() || offset.equals("0")
          ? "/tmp/scaleblocks-services" : "/tmp/scaleblocks-services-" + offset.trim();
    }
    Path pidfile = Path.of(dir, "redis-" + port, "redis.pid");
    if (!Files.exists(pidfile)) {
      String message = "no pidfile " + pidfile + " for the Redis on " + port + "; run `scripts/services start`";
      if (RequireServer.isCi()) {
        Assertions.fail(message);
      }
      Assumptions.abort(message);
    }
    return Long.parseLong(Files.readString(pidfile).trim());
  }

  private static void signal(String signal, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -" + signal + " " + pid);
  }
}
