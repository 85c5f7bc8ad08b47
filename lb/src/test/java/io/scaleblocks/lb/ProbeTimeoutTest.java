package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.testkit.Await;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The health checker owns the probe timer: a probe that hangs is a failed probe. */
class ProbeTimeoutTest {

  private static EndpointGroup<String> group(int n) {
    EndpointGroup<String> group = EndpointGroup.of();
    for (int i = 0; i < n; i++) {
      group.add(Endpoint.of("e" + i));
    }
    return group;
  }

  private static Set<String> picked(LoadBalancer<String> lb, int picks) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < picks; i++) {
      seen.add(lb.pick().address());
    }
    return seen;
  }

  @Test
  void aProbeThatHangsPastItsTimeoutCountsAsAFailure() {
    CountDownLatch never = new CountDownLatch(1);
    HealthProbe hangsOnE1 = (endpoint, timeout) -> {
      if (endpoint.address().equals("e1")) {
        never.await();
      }
      return true;
    };
    ActiveHealthCheck check = ActiveHealthCheck.builder(hangsOnE1).interval(Duration.ofHours(1))
        .timeout(Duration.ofMillis(100)).unhealthyThreshold(1).build();
    try (LoadBalancer<String> lb = LoadBalancer.builder(group(3)).strategy(Strategies.roundRobin())
        .activeHealthCheck(check).build()) {
      assertTimeoutPreemptively(Duration.ofSeconds(5),
          () -> ((HealthAwareLoadBalancer<String>) lb).probeAllNow());
      assertFalse(picked(lb, 30).contains("e1"), "the endpoint whose probe hangs left rotation");
    }
  }

  @Test
  void probeChainsGoOnAfterAListenerThrowsAndAProbeHangs() {
    AtomicInteger probesOfE1 = new AtomicInteger();
    AtomicInteger calls = new AtomicInteger();
    HealthProbe flapping = (endpoint, timeout) -> {
      if (!endpoint.address().equals("e1")) {
        return true;
      }
      int n = probesOfE1.incrementAndGet();
      if (n % 3 == 0) {
        Thread.sleep(10_000);
      }
      calls.incrementAndGet();
      return n % 2 == 0;
    };
    ActiveHealthCheck check = ActiveHealthCheck.builder(flapping)
        .interval(Duration.ofMillis(20)).jitter(Duration.ZERO).timeout(Duration.ofMillis(50))
        .unhealthyThreshold(1).healthyThreshold(1).build();
    try (LoadBalancer<String> lb = LoadBalancer.builder(group(3)).activeHealthCheck(check)
        .build()) {
      lb.addListener(new LoadBalancerListener<>() {
        @Override
        public void onHealthChange(Endpoint<String> endpoint, boolean healthy) {
          throw new IllegalStateException("listener bug");
        }
      });
      Await.until("e1 probed 12 times", Duration.ofSeconds(10), () -> probesOfE1.get() >= 12);
      assertTrue(calls.get() >= 6);
    }
  }
}
