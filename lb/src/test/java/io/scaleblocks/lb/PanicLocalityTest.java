package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Panic is decided per locality level, after the zone shares come from real availability. */
class PanicLocalityTest {

  private static final Map<String, Map<String, Integer>> LATENCY =
      Map.of("eu", Map.of("eu", 1, "us", 90));

  private static LoadBalancer<String> balancer(Set<String> down) {
    EndpointGroup<String> group = EndpointGroup.of();
    for (String zone : new String[] {"eu", "us"}) {
      for (int i = 0; i < 4; i++) {
        group.add(Endpoint.of(zone + i).withZone(zone));
      }
    }
    ActiveHealthCheck check = ActiveHealthCheck.builder(
            (endpoint, timeout) -> !down.contains(endpoint.address().toString()))
        .interval(Duration.ofHours(1)).unhealthyThreshold(1).build();
    LoadBalancer<String> lb = LoadBalancer.builder(group).locality(Locality.of("eu", LATENCY))
        .refreshInterval(Duration.ZERO).activeHealthCheck(check).build();
    ((HealthAwareLoadBalancer<String>) lb).probeAllNow();
    return lb;
  }

  private static Map<String, Integer> picks(LoadBalancer<String> lb, int n) {
    Map<String, Integer> picks = new HashMap<>();
    for (int i = 0; i < n; i++) {
      picks.merge(lb.pick().address(), 1, Integer::sum);
    }
    return picks;
  }

  @Test
  void aDeadNearestZoneGetsNoTrafficEvenWhenTooFewEndpointsAreUpOverall() {
    Set<String> down = ConcurrentHashMap.newKeySet();
    down.addAll(Set.of("eu0", "eu1", "eu2", "eu3", "us0"));
    try (LoadBalancer<String> lb = balancer(down)) {
      Map<String, Integer> picks = picks(lb, 8000);
      assertEquals(Set.of("us1", "us2", "us3"), picks.keySet(), picks.toString());
      assertFalse(lb.panicking(), "us has 3 of 4 up: no level needs to panic");
    }
  }

  @Test
  void aLevelBelowTheThresholdPanicsOnItsOwnAndKeepsTheShareItsHealthEarns() {
    Set<String> down = ConcurrentHashMap.newKeySet();
    down.addAll(Set.of("eu0", "eu1", "eu2"));
    try (LoadBalancer<String> lb = balancer(down)) {
      Map<String, Integer> picks = picks(lb, 20_000);
      assertTrue(lb.panicking(), "eu has 1 of 4 up, below the 50 % threshold");
      int eu = 0;
      for (int i = 0; i < 4; i++) {
        eu += picks.getOrDefault("eu" + i, 0);
        assertTrue(picks.getOrDefault("eu" + i, 0) > 0, "panic in eu routes over all of eu");
        assertTrue(picks.getOrDefault("us" + i, 0) > 0);
      }
      assertEquals(0.35, eu / 20_000.0, 0.02, "eu keeps min(1, 1.4 * 1/4) of the traffic");
    }
  }

  @Test
  void everythingDownRoutesOverEveryEndpoint() {
    Set<String> down = ConcurrentHashMap.newKeySet();
    down.addAll(Set.of("eu0", "eu1", "eu2", "eu3", "us0", "us1", "us2", "us3"));
    try (LoadBalancer<String> lb = balancer(down)) {
      assertTrue(lb.panicking());
      assertEquals(8, picks(lb, 8000).size());
    }
  }
}
