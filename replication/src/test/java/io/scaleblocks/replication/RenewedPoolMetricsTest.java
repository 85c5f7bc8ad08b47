package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The pool metrics of a node whose empty pool was replaced (after the node restarted). */
class RenewedPoolMetricsTest {

  @Test
  void aRenewedPoolKeepsItsMetricsAfterTheOldPoolIsClosed() throws Exception {
    HikariConfig hikari = new HikariConfig();
    hikari.setMaximumPoolSize(2);
    hikari.setMinimumIdle(0);
    // no such database: the pool stays empty, as one whose server restarted
    ReplicationConfig config = ReplicationConfig.builder().name("renewed").hikari(hikari)
        .primary("jdbc:h2:mem:absent-" + System.nanoTime() + ";IFEXISTS=TRUE")
        .connectTimeout(Duration.ofMillis(250)).monitor(false).build();
    AtomicLong now = new AtomicLong();
    Node node = Node.open("renewed", config.primary, config, ForkJoinPool.commonPool(), now::get);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try {
      node.trackPool(new MicrometerMetricsTrackerFactory(registry));
      HikariDataSource old = node.ownedPool().orElseThrow();
      String pool = old.getPoolName();
      assertNotNull(registry.find("hikaricp.connections").tag("pool", pool).gauge());

      now.addAndGet(Duration.ofMinutes(1).toNanos());
      assertTrue(node.renewPoolIfEmpty(), "an empty pool past its grace period is replaced");
      for (Thread thread : Thread.getAllStackTraces().keySet()) {
        if (thread.getName().equals(pool + "-retired-pool-closer")) {
          thread.join(Duration.ofSeconds(30).toMillis());
        }
      }
      assertTrue(old.isClosed(), "the old pool is closed");

      assertNotNull(registry.find("hikaricp.connections").tag("pool", pool).gauge(),
          "the renewed pool's gauges are still registered");
      assertNotNull(registry.find("hikaricp.connections.acquire").tag("pool", pool).timer(),
          "the renewed pool's acquire timer is still registered");
    } finally {
      node.close();
    }
  }
}
