package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalityTest {

  private static final Map<String, Map<String, Integer>> LATENCY = Map.of(
      "eu-west", Map.of("paris", 2, "frankfurt", 12, "virginia", 80),
      "us-east", Map.of("virginia", 1, "paris", 80, "frankfurt", 90));

  @Test
  void zonesAreRankedByDistanceFromTheClientRegion() {
    Locality eu = Locality.of("eu-west", LATENCY);
    assertEquals(List.of("paris", "frankfurt", "virginia", "tokyo"),
        eu.rank(List.of("virginia", "tokyo", "frankfurt", "paris")));
    assertEquals(List.of("virginia", "paris", "frankfurt"),
        Locality.of("us-east", LATENCY).rank(List.of("paris", "frankfurt", "virginia")));
  }

  @Test
  void spillOverFollowsHealthTimesOverprovisioning() {
    Locality eu = Locality.of("eu-west", LATENCY);
    assertArrayEquals(new double[] {1, 0, 0}, eu.shares(new int[] {10, 10, 10},
        new int[] {10, 10, 10}), 1e-12);
    assertArrayEquals(new double[] {1, 0, 0}, eu.shares(new int[] {8, 10, 10},
        new int[] {10, 10, 10}), 1e-12, "80 % * 1.4 still claims everything");
    assertArrayEquals(new double[] {0.7, 0.3, 0}, eu.shares(new int[] {5, 10, 10},
        new int[] {10, 10, 10}), 1e-12);
    assertArrayEquals(new double[] {0, 1, 0}, eu.shares(new int[] {0, 10, 10},
        new int[] {10, 10, 10}), 1e-12);
    assertArrayEquals(new double[] {0.5, 0.5, 0}, eu.shares(new int[] {1, 1, 0},
        new int[] {5, 5, 5}), 1e-12, "all degraded: claims scaled up to 100 %");
  }

  @Test
  void trafficStaysLocalThenSpillsThenMovesWhenTheDataCenterIsDown() {
    EndpointGroup<String> group = EndpointGroup.of();
    for (String zone : List.of("paris", "frankfurt", "virginia")) {
      for (int i = 0; i < 10; i++) {
        group.add(Endpoint.of(zone + "-" + i).withZone(zone));
      }
    }
    try (LoadBalancer<String> lb = LoadBalancer.builder(group)
        .locality(Locality.of("eu-west", LATENCY))
        .outlierDetection(OutlierDetection.builder().consecutiveFailures(1)
            .maxEjectionPercent(100).build())
        .refreshInterval(Duration.ZERO).build()) {
      assertEquals(Map.of("paris", 100_000), zonesOf(lb, 100_000));
      for (int i = 0; i < 5; i++) {
        eject(lb, "paris-" + i);
      }
      Map<String, Integer> spilled = zonesOf(lb, 100_000);
      assertEquals(0.7, spilled.get("paris") / 100_000.0, 0.01);
      assertEquals(0.3, spilled.get("frankfurt") / 100_000.0, 0.01);
      for (int i = 5; i < 10; i++) {
        eject(lb, "paris-" + i);
      }
      assertEquals(Map.of("frankfurt", 100_000), zonesOf(lb, 100_000));
    }
  }

  @Test
  void unknownRegionIsRejectedWithTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Locality.of("mars", LATENCY));
    assertTrue(e.getMessage().contains("unknown region 'mars'"), e.getMessage());
  }

  private static void eject(LoadBalancer<String> lb, String address) {
    Endpoint<String> endpoint = Endpoint.of(address);
    lb.callStarted(endpoint);
    lb.callFinished(endpoint, false);
  }

  private static Map<String, Integer> zonesOf(LoadBalancer<String> lb, int picks) {
    Map<String, Integer> zones = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      zones.merge(lb.pick().zone(), 1, Integer::sum);
    }
    return zones;
  }
}
