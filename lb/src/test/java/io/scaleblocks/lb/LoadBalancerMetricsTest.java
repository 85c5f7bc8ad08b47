package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scaleblocks.lb.micrometer.LoadBalancerMetrics;
import io.scaleblocks.testkit.Await;
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

  @Test
  void metersOfAnEndpointThatLeavesAreRemovedAndExtraTagsApply() {
    EndpointGroup<String> group = EndpointGroup.of(Endpoint.of("a"), Endpoint.of("b"));
    try (LoadBalancer<String> lb = LoadBalancer.builder(group).name("churn")
        .outlierDetection(OutlierDetection.builder().consecutiveFailures(1)
            .maxEjectionPercent(50).build())
        .refreshInterval(Duration.ZERO).build()) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      new LoadBalancerMetrics<>(lb, Tags.of("service", "orders")).bindTo(registry);
      for (int i = 0; i < 1000; i++) {
        String address = "10.0." + (i / 250) + "." + (i % 250);
        group.add(Endpoint.of(address));
        lb.pick();
        lb.callStarted(Endpoint.of(address));
        lb.callFinished(Endpoint.of(address), false);
        group.remove(address);
      }
      for (int i = 0; i < 10; i++) {
        lb.pick();
      }
      Await.until("only the members' pick counters are left", Duration.ofSeconds(5),
          () -> registry.find("scaleblocks.lb.picks").counters().size() == 2);
      assertTrue(registry.find("scaleblocks.lb.ejections").counters().size() <= 2);
      assertEquals("orders", registry.get("scaleblocks.lb.panic").gauge().getId()
          .getTag("service"));
      assertEquals(2, registry.get("scaleblocks.lb.picks").tags("service", "orders")
          .counters().size());
    }
  }
}
