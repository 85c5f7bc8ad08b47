package io.scaleblocks.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.scaleblocks.session.jdbc.Dialect;
import io.scaleblocks.session.jdbc.JdbcSessionStores;
import io.scaleblocks.session.redis.RedisSessionStores;
import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/**
 * Find and save (one attribute changed) on the real servers over loopback, two threads, each
 * call timed; prints p50, p99 and p99.9. 2,000 requests per thread by default, 50,000 with
 * {@code -Dscaleblocks.long=true}. Asserts only that every request succeeded: timings on a shared
 * machine are reported, not asserted.
 */
class StoreLatencyIT {

  private static final int PER_THREAD = Boolean.getBoolean("scaleblocks.long") ? 50_000 : 2_000;
  private static final SessionAttribute<Long> COUNT = SessionAttribute.longValue("count");

  @Test
  void redisFindAndSave() throws Exception {
    RequireServer.redis();
    InetSocketAddress a = ServerAddresses.addressOf(ServerAddresses.redisUrl());
    try (RedisClient client = RedisClient.builder().hostAndPort(new HostAndPort(a.getHostString(), a.getPort()))
        .build()) {
      SessionStore store = RedisSessionStores.builder(client).keyPrefix("sbload:").build();
      measure("redis", store);
    }
  }

  @Test
  void postgresFindAndSave() throws Exception {
    RequireServer.postgresPrimary();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(ServerAddresses.pgPrimaryUrl());
    config.setUsername(ServerAddresses.pgUser());
    config.setPassword(ServerAddresses.pgPassword());
    config.setMaximumPoolSize(4);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      try (SessionStore store = JdbcSessionStores.builder(pool, Dialect.POSTGRESQL).table("sbload")
          .cleanupInterval(Duration.ZERO).createSchema(true).build()) {
        measure("postgresql", store);
      } finally {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
          st.execute("DROP TABLE IF EXISTS sbload_attribute");
          st.execute("DROP TABLE IF EXISTS sbload");
        }
      }
    }
  }

  private static void measure(String name, SessionStore store) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Session s = store.create();
      s.set(SessionAttribute.string("user"), "u" + i);
      store.save(s);
      ids.add(s.id());
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<long[]>> runs = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      SessionAttribute<Long> mine = SessionAttribute.longValue("t" + t);
      runs.add(pool.submit(() -> {
        long[] nanos = new long[PER_THREAD];
        for (int i = 0; i < PER_THREAD; i++) {
          String id = ids.get(i % ids.size());
          long start = System.nanoTime();
          Session s = store.find(id).orElseThrow();
          s.set(mine, (long) i);
          store.save(s);
          nanos[i] = System.nanoTime() - start;
        }
        return nanos;
      }));
    }
    long[] all = new long[0];
    for (Future<long[]> run : runs) {
      long[] part = run.get(10, TimeUnit.MINUTES);
      long[] joined = Arrays.copyOf(all, all.length + part.length);
      System.arraycopy(part, 0, joined, all.length, part.length);
      all = joined;
    }
    pool.shutdown();
    Arrays.sort(all);
    System.out.printf("%s find+save, 2 threads, %d requests: p50 %d us, p99 %d us, p99.9 %d us%n", name, all.length,
        percentile(all, 0.50), percentile(all, 0.99), percentile(all, 0.999));
    assertEquals(2 * PER_THREAD, all.length);
    assertEquals(0, store.stats().conflicts());
  }

  private static long percentile(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1_000;
  }
}
