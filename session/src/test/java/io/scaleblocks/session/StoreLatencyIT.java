package io.scaleblocks.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

/**
 * Find and save (one attribute changed) on the real servers over loopback, {@value #THREADS}
 * threads, each call timed; prints p50, p99 and p99.9 of a closed-loop run and two paced runs after
 * a warm-up (JIT, pool connections, script cache), which is not measured:
 *
 * <ul>
 *   <li><b>closed loop</b>: each thread sends its next request when the last one returned, and the
 *       latency is the call's own time;
 *   <li><b>paced</b>: each thread sends at a fixed rate (a quarter, then half, of what the closed
 *       loop reached), and
 *       the latency runs from when the request was due, so a stall also counts against every
 *       request that waited behind it (no coordinated omission). For the requests whose thread
 *       was idle and slept until they were due, it also prints how late the thread woke: that
 *       part of their latency is the operating system's scheduling, before the store is called.
 * </ul>
 *
 * <p>2,000 requests per thread and run by default, 50,000 with {@code -Dscaleblocks.long=true}.
 * Each connection pool holds a connection per thread, so no request waits for one. Asserts that
 * every request succeeded and a median far above any loopback round trip would be a defect (a
 * connection per request, a retry loop); the percentiles of a shared machine are printed, not
 * asserted.
 */
class StoreLatencyIT {

  private static final boolean LONG = Boolean.getBoolean("scaleblocks.long");
  private static final int PER_THREAD = LONG ? 50_000 : 2_000;
  private static final int WARM_UP = LONG ? 10_000 : 1_000;
  private static final int THREADS = 2;
  private static final int SESSIONS = 200;
  /** The paced runs' rates, in percent of the rate each thread reached in the closed loop. */
  private static final int[] PACED_SHARES = {25, 50};

  @Test
  void redisFindAndSave() throws Exception {
    RequireServer.redis();
    InetSocketAddress a = ServerAddresses.addressOf(ServerAddresses.redisUrl());
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(THREADS * 2);
    pool.setMinIdle(THREADS);
    try (RedisClient client = RedisClient.builder().hostAndPort(new HostAndPort(a.getHostString(), a.getPort()))
        .poolConfig(pool).build()) {
      SessionStore store = RedisSessionStores.builder(client).keyPrefix("sbload:").build();
      measure("redis", store, Duration.ofMillis(20));
    }
  }

  @Test
  void postgresFindAndSave() throws Exception {
    RequireServer.postgresPrimary();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(ServerAddresses.pgPrimaryUrl());
    config.setUsername(ServerAddresses.pgUser());
    config.setPassword(ServerAddresses.pgPassword());
    config.setMaximumPoolSize(THREADS * 2);
    config.setMinimumIdle(THREADS * 2);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      try (SessionStore store = JdbcSessionStores.builder(pool, Dialect.POSTGRESQL).table("sbload")
          .cleanupInterval(Duration.ZERO).createSchema(true).build()) {
        measure("postgresql", store, Duration.ofMillis(50));
      } finally {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
          st.execute("DROP TABLE IF EXISTS sbload_attribute");
          st.execute("DROP TABLE IF EXISTS sbload");
        }
      }
    }
  }

  private static void measure(String name, SessionStore store, Duration medianBound) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < SESSIONS; i++) {
      Session s = store.create();
      s.set(SessionAttribute.string("user"), "u" + i);
      store.save(s);
      ids.add(s.id());
    }
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      run(pool, store, ids, WARM_UP, 0);
      long[] closed = run(pool, store, ids, PER_THREAD, 0).latencies();
      System.out.printf("%s find+save, %d threads, %d requests after %d warm-up: closed loop p50 %d us, p99 %d us,"
              + " p99.9 %d us%n", name, THREADS, closed.length, THREADS * WARM_UP, micros(closed, 0.50),
          micros(closed, 0.99), micros(closed, 0.999));
      for (int share : PACED_SHARES) {
        long interval = Math.max(100 * mean(closed) / share, TimeUnit.MICROSECONDS.toNanos(50));
        Timings paced = run(pool, store, ids, PER_THREAD, interval);
        long[] late = paced.lateness();
        assertTrue(late.length > 0, "no paced request found its thread idle");
        System.out.printf("%s find+save paced at %d %% of the closed loop's rate (%d requests/s per thread), from the"
                + " due time: p50 %d us, p99 %d us, p99.9 %d us; %d of the requests found their thread idle, which woke"
                + " after the due time by p50 %d us, p99 %d us, p99.9 %d us%n",
            name, share, TimeUnit.SECONDS.toNanos(1) / interval, micros(paced.latencies(), 0.50),
            micros(paced.latencies(), 0.99), micros(paced.latencies(), 0.999), late.length, micros(late, 0.50),
            micros(late, 0.99), micros(late, 0.999));
      }
      assertEquals(THREADS * PER_THREAD, closed.length);
      assertEquals(0, store.stats().conflicts());
      assertTrue(percentile(closed, 0.50) < medianBound.toNanos(),
          name + " median " + micros(closed, 0.50) + " us is over " + medianBound.toMillis() + " ms");
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Sorted latencies and, of a paced run, how late a thread that slept until a request was due
   * woke up (the operating system's share of the latency, not the store's), in nanoseconds.
   */
  private record Timings(long[] latencies, long[] lateness) {}

  /**
   * {@code requests} find+save per thread: back to back when {@code intervalNanos} is 0, else one
   * due every interval and timed from when it was due.
   */
  private static Timings run(ExecutorService pool, SessionStore store, List<String> ids, int requests,
      long intervalNanos) throws Exception {
    List<Future<Timings>> runs = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      SessionAttribute<Long> mine = SessionAttribute.longValue("t" + t);
      int offset = t * ids.size() / THREADS;
      runs.add(pool.submit(() -> {
        long[] nanos = new long[requests];
        long[] late = new long[requests];
        int slept = 0;
        long due = System.nanoTime();
        for (int i = 0; i < requests; i++) {
          String id = ids.get((offset + i) % ids.size());
          long start = System.nanoTime();
          if (intervalNanos > 0) {
            due += intervalNanos;
            if (start < due) {
              while (start < due) {
                LockSupport.parkNanos(due - start);
                start = System.nanoTime();
              }
              late[slept++] = start - due;
            }
            start = due;
          }
          Session s = store.find(id).orElseThrow();
          s.set(mine, (long) i);
          store.save(s);
          nanos[i] = System.nanoTime() - start;
        }
        return new Timings(nanos, Arrays.copyOf(late, slept));
      }));
    }
    long[] latencies = new long[0];
    long[] lateness = new long[0];
    for (Future<Timings> run : runs) {
      Timings part = run.get(10, TimeUnit.MINUTES);
      latencies = joined(latencies, part.latencies());
      lateness = joined(lateness, part.lateness());
    }
    Arrays.sort(latencies);
    Arrays.sort(lateness);
    return new Timings(latencies, lateness);
  }

  private static long[] joined(long[] a, long[] b) {
    long[] joined = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    return joined;
  }

  private static long percentile(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  /** The mean latency: a thread's closed-loop rate is one request per mean. */
  private static long mean(long[] nanos) {
    long sum = 0;
    for (long n : nanos) {
      sum += n;
    }
    return sum / nanos.length;
  }

  private static long micros(long[] sorted, double p) {
    return percentile(sorted, p) / 1_000;
  }
}
