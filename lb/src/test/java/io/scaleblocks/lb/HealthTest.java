package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Active checks, outlier ejection, slow start and panic, on a fake clock. */
class HealthTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private EndpointGroup<String> group(int n) {
    EndpointGroup<String> group = EndpointGroup.of();
    for (int i = 0; i < n; i++) {
      group.add(Endpoint.of("e" + i));
    }
    return group;
  }

  private LoadBalancerBuilder<String> builder(EndpointGroup<String> group) {
    return LoadBalancer.builder(group).ticker(now::get).refreshInterval(Duration.ZERO)
        .strategy(Strategies.roundRobin());
  }

  private static void fail(LoadBalancer<String> lb, String address, int times) {
    Endpoint<String> endpoint = Endpoint.of(address);
    for (int i = 0; i < times; i++) {
      lb.callStarted(endpoint);
      lb.callFinished(endpoint, false);
    }
  }

  private static Map<String, Integer> picks(LoadBalancer<String> lb, int count) {
    Map<String, Integer> picks = new HashMap<>();
    for (int i = 0; i < count; i++) {
      picks.merge(lb.pick().address(), 1, Integer::sum);
    }
    return picks;
  }

  @Test
  void consecutiveFailuresEjectAtOnceAndEjectionTimeDoubles() {
    OutlierDetection detection = OutlierDetection.builder().consecutiveFailures(3)
        .baseEjectionTime(Duration.ofSeconds(10)).maxEjectionTime(Duration.ofSeconds(35))
        .maxEjectionPercent(50).build();
    try (LoadBalancer<String> lb = builder(group(4)).outlierDetection(detection).build()) {
      fail(lb, "e1", 2);
      assertTrue(picks(lb, 100).containsKey("e1"), "two failures are not enough");
      fail(lb, "e1", 1);
      assertFalse(picks(lb, 100).containsKey("e1"));
      long[] expectedSeconds = {10, 20, 35, 35};
      for (int ejection = 0; ejection < expectedSeconds.length; ejection++) {
        if (ejection > 0) {
          fail(lb, "e1", 3);
        }
        now.addAndGet(Duration.ofSeconds(expectedSeconds[ejection]).toNanos() - 1);
        lb.refresh();
        assertTrue(lb.status().get(1).ejected(), "still ejected just before " + ejection);
        now.addAndGet(1);
        lb.refresh();
        assertFalse(lb.status().get(1).ejected(), "back after " + expectedSeconds[ejection]);
        assertTrue(picks(lb, 100).containsKey("e1"));
      }
    }
  }

  @Test
  void failureRateOverAnIntervalEjects() {
    OutlierDetection detection = OutlierDetection.builder().consecutiveFailures(1000)
        .failureRateThreshold(0.5).minimumRequests(10).interval(Duration.ofSeconds(10))
        .maxEjectionPercent(50).build();
    try (LoadBalancer<String> lb = builder(group(4)).outlierDetection(detection).build()) {
      Endpoint<String> e2 = Endpoint.of("e2");
      for (int i = 0; i < 20; i++) {
        lb.callStarted(e2);
        lb.callFinished(e2, i % 2 == 0);
      }
      lb.refresh();
      assertFalse(lb.status().get(2).ejected(), "judged only at the end of the interval");
      now.addAndGet(Duration.ofSeconds(10).toNanos());
      lb.refresh();
      assertTrue(lb.status().get(2).ejected());
    }
  }

  @Test
  void noMoreThanTheMaximumShareIsEjected() {
    OutlierDetection detection = OutlierDetection.builder().consecutiveFailures(1)
        .maxEjectionPercent(20).build();
    try (LoadBalancer<String> lb = builder(group(10)).outlierDetection(detection).build()) {
      for (int i = 0; i < 10; i++) {
        fail(lb, "e" + i, 1);
      }
      long ejected = lb.status().stream().filter(EndpointStatus::ejected).count();
      assertEquals(2, ejected);
    }
  }

  @Test
  void atLeastOneEndpointCanBeEjectedFromASmallPool() {
    try (LoadBalancer<String> lb = builder(group(3))
        .outlierDetection(OutlierDetection.builder().consecutiveFailures(1).build()).build()) {
      fail(lb, "e0", 1);
      fail(lb, "e1", 1);
      assertEquals(1, lb.status().stream().filter(EndpointStatus::ejected).count());
    }
  }

  @Test
  void slowStartFollowsEnvoysFormula() {
    SlowStart linear = SlowStart.builder().window(Duration.ofSeconds(100)).build();
    assertEquals(0.10, linear.factor(0), 1e-9, "floor of 10 %");
    assertEquals(0.25, linear.factor(Duration.ofSeconds(25).toNanos()), 1e-9);
    assertEquals(1.0, linear.factor(Duration.ofSeconds(100).toNanos()), 1e-9);
    SlowStart aggressive = SlowStart.builder().window(Duration.ofSeconds(100)).aggression(2)
        .minWeightPercent(1).build();
    assertEquals(0.5, aggressive.factor(Duration.ofSeconds(25).toNanos()), 1e-9);
  }

  @Test
  void aReturningEndpointRampsUpThroughSlowStart() {
    EndpointGroup<String> group = group(4);
    try (LoadBalancer<String> lb = builder(group)
        .strategy(Strategies.smoothWeightedRoundRobin())
        .slowStart(SlowStart.builder().window(Duration.ofSeconds(100)).build())
        .outlierDetection(OutlierDetection.builder().consecutiveFailures(1)
            .baseEjectionTime(Duration.ofSeconds(10)).build())
        .build()) {
      fail(lb, "e3", 1);
      now.addAndGet(Duration.ofSeconds(10).toNanos());
      lb.refresh();
      assertEquals(0.10, lb.status().get(3).weightFactor(), 1e-9);
      // weights 100:100:100:10 -> e3 gets 10 of 310 slots
      assertEquals(100, picks(lb, 3100).get("e3"));
      now.addAndGet(Duration.ofSeconds(50).toNanos());
      lb.refresh();
      assertEquals(0.5, lb.status().get(3).weightFactor(), 1e-9);
      assertEquals(500, picks(lb, 3500).get("e3"));
      now.addAndGet(Duration.ofSeconds(50).toNanos());
      lb.refresh();
      assertEquals(1.0, lb.status().get(3).weightFactor(), 1e-9);
      assertEquals(1000, picks(lb, 4000).get("e3"));
    }
  }

  @Test
  void anEndpointBackFromEjectionRampsUp() {
    OutlierDetection detection = OutlierDetection.builder().consecutiveFailures(1)
        .baseEjectionTime(Duration.ofSeconds(1)).maxEjectionPercent(50).build();
    try (LoadBalancer<String> lb = builder(group(3)).outlierDetection(detection)
        .slowStart(SlowStart.of(Duration.ofSeconds(10))).build()) {
      fail(lb, "e2", 1);
      assertTrue(lb.status().get(2).ejected());
      now.addAndGet(Duration.ofSeconds(1).toNanos());
      lb.refresh();
      assertFalse(lb.status().get(2).ejected());
      assertEquals(0.1, lb.status().get(2).weightFactor(), 1e-9);
    }
  }

  @Test
  void endpointsAddedLaterRampUpButTheInitialOnesDoNot() {
    EndpointGroup<String> group = group(2);
    try (LoadBalancer<String> lb = builder(group).slowStart(SlowStart.of(Duration.ofSeconds(10)))
        .build()) {
      assertEquals(1.0, lb.status().get(0).weightFactor());
      group.add(Endpoint.of("late"));
      assertEquals(0.1, lb.status().get(2).weightFactor(), 1e-9);
    }
  }

  @Test
  void activeChecksHonourTheThresholds() {
    Set<String> down = ConcurrentHashMap.newKeySet();
    ActiveHealthCheck check = ActiveHealthCheck.builder((endpoint, timeout) ->
            !down.contains(endpoint.address().toString()))
        .interval(Duration.ofHours(1)).healthyThreshold(2).unhealthyThreshold(3).build();
    try (LoadBalancer<String> lb = builder(group(4)).activeHealthCheck(check).build()) {
      HealthAwareLoadBalancer<String> balancer = (HealthAwareLoadBalancer<String>) lb;
      down.add("e2");
      balancer.probeAllNow();
      balancer.probeAllNow();
      assertTrue(lb.status().get(2).healthy(), "two failed probes are not enough");
      balancer.probeAllNow();
      assertFalse(lb.status().get(2).healthy());
      assertFalse(picks(lb, 100).containsKey("e2"));
      down.clear();
      balancer.probeAllNow();
      assertFalse(lb.status().get(2).healthy(), "one good probe is not enough");
      balancer.probeAllNow();
      assertTrue(lb.status().get(2).healthy());
      assertTrue(picks(lb, 100).containsKey("e2"));
    }
  }

  @Test
  void aProbeThatThrowsCountsAsAFailure() {
    ActiveHealthCheck check = ActiveHealthCheck.builder((endpoint, timeout) -> {
      throw new IllegalStateException("probe broke");
    }).interval(Duration.ofHours(1)).unhealthyThreshold(1).build();
    try (LoadBalancer<String> lb = builder(group(2)).activeHealthCheck(check).panicThreshold(0)
        .build()) {
      ((HealthAwareLoadBalancer<String>) lb).probeAllNow();
      assertThrows(NoEndpointAvailableException.class, lb::pick);
    }
  }

  @Test
  void belowThePanicThresholdTrafficGoesToEveryEndpoint() {
    try (LoadBalancer<String> lb = builder(group(10))
        .outlierDetection(OutlierDetection.builder().consecutiveFailures(1)
            .maxEjectionPercent(100).build())
        .build()) {
      for (int i = 0; i < 5; i++) {
        fail(lb, "e" + i, 1);
      }
      assertFalse(lb.panicking(), "5 of 10 available is not below 50 %");
      assertEquals(5, picks(lb, 1000).size());
      fail(lb, "e5", 1);
      assertTrue(lb.panicking());
      assertEquals(10, picks(lb, 1000).size());
    }
  }

  @Test
  void withPanicOffAndNothingAvailablePicksFailClearly() {
    try (LoadBalancer<String> lb = builder(group(2)).panicThreshold(0)
        .outlierDetection(OutlierDetection.builder().consecutiveFailures(1)
            .maxEjectionPercent(100).build())
        .build()) {
      fail(lb, "e0", 1);
      fail(lb, "e1", 1);
      NoEndpointAvailableException e = assertThrows(NoEndpointAvailableException.class, lb::pick);
      assertTrue(e.getMessage().contains("none of the 2 endpoints is available"), e.getMessage());
    }
  }
}
