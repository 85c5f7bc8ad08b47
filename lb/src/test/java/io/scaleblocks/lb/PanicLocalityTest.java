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
  void aPartlyDeadNearZoneDoesNotPanicWhileTheNextZoneMakesUpTheRest() {
    Set<String> down = ConcurrentHashMap.newKeySet();
    down.addAll(Set.of("eu0", "eu1", "eu2"));
    try (LoadBalancer<String> lb = balancer(down)) {
      Map<String, Integer> picks = picks(lb, 20_000);
      assertFalse(lb.panicking(), "eu's 35 % and us's 100 % make a normalised health of 100 %");
      assertEquals(Set.of("eu3", "us0", "us1", "us2", "us3"), picks.keySet(),
          "0 picks to the unhealthy eu0, eu1 and eu2: " + picks);
      assertEquals(0.35, picks.get("eu3") / 20_000.0, 0.02,
          "eu keeps min(1, 1.4 * 1/4) of the traffic, on its one available endpoint");
    }
  }

  @Test
  void belowAFullNormalisedHealthALevelUnderTheThresholdPanicsOnItsOwn() {
    Set<String> down = ConcurrentHashMap.newKeySet();
    down.addAll(Set.of("eu0", "eu1", "eu2", "us0", "us1", "us2"));
    try (LoadBalancer<String> lb = balancer(down)) {
      Map<String, Integer> picks = picks(lb, 20_000);
      assertTrue(lb.panicking(), "1 of 4 up in each zone: a normalised health of 70 %");
      int eu = 0;
      for (int i = 0; i < 4; i++) {
        eu += picks.getOrDefault("eu" + i, 0);
        assertTrue(picks.getOrDefault("eu" + i, 0) > 0, "panic in eu routes over all of eu");
        assertTrue(picks.getOrDefault("us" + i, 0) > 0, "panic in us routes over all of us");
      }
      assertEquals(0.5, eu / 20_000.0, 0.02, "each zone keeps the share its health earns");
    }
  }

  @Test
  void withoutLocalityALevelPanicsOnlyBelowAFullNormalisedHealth() {
    EndpointGroup<String> group = EndpointGroup.of();
    for (int i = 0; i < 10; i++) {
      group.add(Endpoint.of("e" + i));
    }
    Set<String> down = ConcurrentHashMap.newKeySet();
    ActiveHealthCheck check = ActiveHealthCheck.builder(
            (endpoint, timeout) -> !down.contains(endpoint.address().toString()))
        .interval(Duration.ofHours(1)).unhealthyThreshold(1).build();
    try (LoadBalancer<String> lb = LoadBalancer.builder(group).panicThreshold(0.9)
        .refreshInterval(Duration.ZERO).activeHealthCheck(check).build()) {
      down.addAll(Set.of("e0", "e1"));
      ((HealthAwareLoadBalancer<String>) lb).probeAllNow();
      assertFalse(lb.panicking(), "8 of 10 up: 1.4 * 80 % is a full normalised health");
      assertEquals(8, picks(lb, 1000).size(), "the 8 available endpoints only");
      down.add("e2");
      ((HealthAwareLoadBalancer<String>) lb).probeAllNow();
      assertTrue(lb.panicking(), "7 of 10 up: 98 %, and below the 90 % threshold");
      assertEquals(10, picks(lb, 1000).size());
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
