package io.scaleblocks.sharding.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scaleblocks.sharding.ShardRouter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * The README's table on real shard databases: orders keyed by {@code customer_id}, several per
 * customer, with writers that add orders and raise totals through {@link ShardRouter#write}
 * while a migration runs, and a model of every order to check the shards against.
 */
final class OrdersResharding implements AutoCloseable {

  /** The pace of each writer. */
  static final int WRITES_PER_SECOND = 300;

  static final String SCHEMA = "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, "
      + "total bigint NOT NULL); CREATE INDEX orders_customer ON orders (customer_id)";

  final int customers;
  /** Order id to its customer and total, as the writers committed them. */
  final Map<Long, long[]> model = new ConcurrentHashMap<>();
  private final ShardRouter<Long, DataSource> router;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong nextOrder = new AtomicLong(10_000_000);
  final AtomicLong writes = new AtomicLong();
  private final ExecutorService pool;
  private final List<Future<?>> writers = new ArrayList<>();

  OrdersResharding(ShardRouter<Long, DataSource> router, int customers) {
    this.router = router;
    this.customers = customers;
    this.pool = Executors.newCachedThreadPool();
  }

  /** Three orders per customer, each on its customer's shard. */
  void load() throws SQLException {
    Map<String, List<Long>> byShard = new HashMap<>();
    for (long customer = 0; customer < customers; customer++) {
      byShard.computeIfAbsent(router.shardFor(customer).id(), s -> new ArrayList<>()).add(customer);
    }
    for (Map.Entry<String, List<Long>> e : byShard.entrySet()) {
      try (Connection c = router.topology().shard(e.getKey()).orElseThrow().resource().getConnection();
          PreparedStatement s = c.prepareStatement("INSERT INTO orders VALUES (?, ?, ?)")) {
        for (long customer : e.getValue()) {
          for (int order = 0; order < 3; order++) {
            long id = customer * 3 + order;
            s.setLong(1, id);
            s.setLong(2, customer);
            s.setLong(3, 100);
            s.addBatch();
            model.put(id, new long[] {customer, 100});
          }
        }
        s.executeBatch();
      }
    }
  }

  /**
   * Starts {@code count} writers; writer {@code w} owns the customers {@code c % count == w}, so
   * the model of each order has one writer. Half the writes add an order, half raise the total of
   * one. Each writer is paced at {@link #WRITES_PER_SECOND}: unpaced writers on a fast machine
   * outrun every catch-up, the table grows while each migration rolls back, and each next
   * migration has more to copy (minutes per run).
   */
  void startWriters(int count) {
    long interval = TimeUnit.SECONDS.toNanos(1) / WRITES_PER_SECOND;
    for (int w = 0; w < count; w++) {
      int writer = w;
      writers.add(pool.submit(() -> {
        SplittableRandom random = new SplittableRandom(writer);
        long next = System.nanoTime();
        while (running.get()) {
          next += interval;
          long wait = next - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          } else if (wait < -TimeUnit.MILLISECONDS.toNanos(100)) {
            next = System.nanoTime();  // fell behind: no burst to make up for it
          }
          long customer = random.nextLong(customers / count) * count + writer;
          if (random.nextBoolean()) {
            addOrder(customer);
          } else {
            raiseTotal(customer, customer * 3 + random.nextInt(3));
          }
          writes.incrementAndGet();
        }
        return null;
      }));
    }
  }

  void addOrder(long customer) throws SQLException {
    long id = nextOrder.incrementAndGet();
    router.write(customer, shard -> {
      try (Connection c = shard.resource().getConnection();
          PreparedStatement s = c.prepareStatement("INSERT INTO orders VALUES (?, ?, 1)")) {
        s.setLong(1, id);
        s.setLong(2, customer);
        s.executeUpdate();
      }
      model.put(id, new long[] {customer, 1});
      return null;
    });
  }

  private void raiseTotal(long customer, long id) throws SQLException {
    router.write(customer, shard -> {
      try (Connection c = shard.resource().getConnection();
          PreparedStatement s = c.prepareStatement(
              "UPDATE orders SET total = total + 1 WHERE id = ? AND customer_id = ?")) {
        s.setLong(1, id);
        s.setLong(2, customer);
        if (s.executeUpdate() == 1) {
          model.get(id)[1]++;
        }
      }
      return null;
    });
  }

  /** Waits until {@code more} writes beyond now have been made. */
  void awaitWrites(long more) {
    long until = writes.get() + more;
    while (writes.get() < until) {
      Thread.onSpinWait();
    }
  }

  void stopWriters() throws Exception {
    running.set(false);
    for (Future<?> writer : writers) {
      writer.get(30, TimeUnit.SECONDS);
    }
    writers.clear();
  }

  /**
   * Checks every shard database against the model: every order exactly once, on the shard the
   * router names for its customer, with the committed total.
   */
  void assertEveryOrderOnceWhereTheRouterSays(List<DataSource> databases) throws SQLException {
    Map<Long, String> where = new HashMap<>();
    Map<Long, long[]> found = new HashMap<>();
    for (int i = 0; i < databases.size(); i++) {
      try (Connection c = databases.get(i).getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT id, customer_id, total FROM orders")) {
        while (rs.next()) {
          long id = rs.getLong(1);
          String previous = where.put(id, "s" + i);
          assertEquals(null, previous, "order " + id + " is on " + previous + " and s" + i);
          found.put(id, new long[] {rs.getLong(2), rs.getLong(3)});
          assertEquals(router.shardFor(rs.getLong(2)).id(), "s" + i,
              "order " + id + " of customer " + rs.getLong(2));
        }
      }
    }
    assertEquals(model.keySet(), found.keySet(), "no order lost, none invented");
    model.forEach((id, order) -> assertEquals(order[1], found.get(id)[1], "total of order " + id));
  }

  @Override
  public void close() {
    running.set(false);
    pool.shutdownNow();
  }
}
