package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scaleblocks.lb.micrometer.LoadBalancerMetrics;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadBalancerMetricsTest {

  @Test
  void picksHealthEjectionsAndRetriesAreCounted() {
    EndpointGroup<String> group = EndpointGroup.of(
        Endpoint.of("a"), Endpoint.of("b"), Endpoint.of("c"), Endpoint.of("d"));
    try (LoadBalancer<String> lb = LoadBalancer.builder(group).name("orders")
        .strategy(new RoundRobinStrategy(false, 0))
        .outlierDetection(OutlierDetection.builder().consecutiveFailures(1)
            .maxEjectionPercent(25).build())
        .refreshInterval(Duration.ZERO).build()) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      new LoadBalancerMetrics<>(lb).bindTo(registry);
      for (int i = 0; i < 40; i++) {
        lb.pick();
      }
      assertEquals(10.0, registry.get("scaleblocks.lb.picks")
          .tags("name", "orders", "endpoint", "a").counter().count());
      FailoverExecutor<String> executor = FailoverExecutor.of(lb, RetryPolicy.ofDefaults());
      String answer = executor.execute((endpoint, timeout) -> {
        if (endpoint.address().equals("a")) {
          throw new IOException("a is down");
        }
        return endpoint.address();
      });
      assertNotEquals("a", answer);
      assertEquals(1.0, registry.get("scaleblocks.lb.ejections").tag("endpoint", "a")
          .counter().count());
      assertEquals(1.0, registry.get("scaleblocks.lb.retries").tag("result", "retried")
          .counter().count());
      assertEquals(1.0, registry.get("scaleblocks.lb.endpoints").tag("state", "ejected")
          .gauge().value());
      assertEquals(3.0, registry.get("scaleblocks.lb.endpoints").tag("state", "available")
          .gauge().value());
      assertEquals(0.0, registry.get("scaleblocks.lb.panic").gauge().value());
    }
  }
}
