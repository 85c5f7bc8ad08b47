package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class BadInputTest {

  private static void rejects(String message, Executable executable) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void weightsOutsideOneToTheMaximumAreRejectedWithTheValue() {
    rejects("weight must be between 1 and 1000000 but was 0", () -> Endpoint.of("a", 0));
    rejects("but was -3", () -> Endpoint.of("a", -3));
    rejects("but was 2147483647", () -> Endpoint.of("a", Integer.MAX_VALUE));
  }

  @Test
  void maximumWeightsOnManyEndpointsDoNotOverflow() {
    EndpointGroup<Integer> group = EndpointGroup.of();
    for (int i = 0; i < 3_000; i++) {
      group.add(Endpoint.of(i, Endpoint.MAX_WEIGHT - (i % 2)));
    }
    for (Strategy strategy : List.of(Strategies.smoothWeightedRoundRobin(),
        Strategies.weightedRandom(), Strategies.leastRequest())) {
      try (LoadBalancer<Integer> lb = LoadBalancer.builder(group).strategy(strategy).build()) {
        for (int i = 0; i < 1000; i++) {
          int picked = lb.pick().address();
          assertTrue(picked >= 0 && picked < 3_000);
        }
      }
    }
  }

  @Test
  void duplicateEndpointsAreRejected() {
    rejects("duplicate endpoint a", () -> EndpointGroup.of(Endpoint.of("a"), Endpoint.of("a", 2)));
    EndpointGroup<String> group = EndpointGroup.of(Endpoint.of("a"));
    rejects("duplicate endpoint a", () -> group.add(Endpoint.of("a")));
    rejects("no endpoint b to update", () -> group.update(Endpoint.of("b")));
  }

  @Test
  void anEmptyGroupFailsPicksClearlyAndRecoversWhenFilled() {
    EndpointGroup<String> group = EndpointGroup.of();
    try (LoadBalancer<String> lb = LoadBalancer.builder(group).name("orders").build()) {
      NoEndpointAvailableException e = assertThrows(NoEndpointAvailableException.class, lb::pick);
      assertEquals("orders - the endpoint group is empty", e.getMessage());
      group.add(Endpoint.of("a"));
      assertEquals("a", lb.pick().address());
      group.remove("a");
      assertThrows(NoEndpointAvailableException.class, lb::pick);
    }
  }

  @Test
  void configSettersNameTheBadValue() {
    rejects("panicThreshold must be between 0 and 1 but was 1.5",
        () -> LoadBalancer.builder(EndpointGroup.of()).panicThreshold(1.5));
    rejects("consecutiveFailures must be >= 1 but was 0",
        () -> OutlierDetection.builder().consecutiveFailures(0));
    rejects("maxEjectionPercent must be between 0 and 100 but was 101",
        () -> OutlierDetection.builder().maxEjectionPercent(101));
    rejects("maxEjectionTime must be >= baseEjectionTime",
        () -> OutlierDetection.builder().baseEjectionTime(Duration.ofMinutes(10)).build());
    rejects("interval must be > 0 but was PT0S",
        () -> ActiveHealthCheck.builder((e, t) -> true).interval(Duration.ZERO));
    rejects("maxAttempts must be >= 1 but was 0", () -> RetryPolicy.builder().maxAttempts(0));
    rejects("aggression must be > 0 but was -1.0", () -> SlowStart.builder().aggression(-1));
    rejects("path must start with '/'", () -> HealthProbes.http("health", 200));
    rejects("zone must not be blank", () -> Endpoint.of("a").withZone(" "));
    rejects("overprovisioningFactor must be >= 1 but was 0.5",
        () -> Locality.of("eu", Map.of("eu", Map.of("eu", 0)), 0.5));
  }

  @Test
  void configsBuildFromSettingsMapsWithRelaxedKeys() {
    OutlierDetection detection = OutlierDetection.from(Map.of(
        "consecutive-failures", "7", "baseEjectionTime", "15s", "MAX_EJECTION_TIME", "PT2M"));
    assertEquals(7, detection.consecutiveFailures());
    assertEquals(Duration.ofSeconds(15), detection.baseEjectionTime());
    assertEquals(Duration.ofMinutes(2), detection.maxEjectionTime());
    assertEquals(OutlierDetection.DEFAULT_MINIMUM_REQUESTS, detection.minimumRequests());
    RetryPolicy retry = RetryPolicy.from(Map.of("max-attempts", 4, "per-try-timeout", "250ms"));
    assertEquals(4, retry.maxAttempts());
    assertEquals(Duration.ofMillis(250), retry.perTryTimeout());
    SlowStart slowStart = SlowStart.from(Map.of("window", "1m", "aggression", "2"));
    assertEquals(Duration.ofMinutes(1), slowStart.window());
    ActiveHealthCheck check = ActiveHealthCheck.from((e, t) -> true,
        Map.of("interval", "2s", "unhealthy-threshold", "4"));
    assertEquals(Duration.ofSeconds(2), check.interval());
    assertEquals(4, check.unhealthyThreshold());
  }

  @Test
  void settingsRefuseUnknownKeysAndValuesOutOfRangeNamingTheKey() {
    rejects("outlier-detection: unknown setting 'consecutive-failure'; known: [",
        () -> OutlierDetection.from(Map.of("consecutive-failure", "3")));
    rejects("retry-policy: 'max-attempts' must be a",
        () -> RetryPolicy.from(Map.of("max-attempts", "many")));
    rejects("but was 'many'", () -> RetryPolicy.from(Map.of("max-attempts", "many")));
    rejects("retry-policy: 'max-attempts' must be between 1 and 100 but was '-2'",
        () -> RetryPolicy.from(Map.of("max-attempts", "-2")));
    rejects("'max-ejection-percent' must be between 0 and 100 but was '4294967296'",
        () -> OutlierDetection.from(Map.of("max-ejection-percent", "4294967296")));
    rejects("slow-start: unknown setting 'windw'",
        () -> SlowStart.from(Map.of("windw", "10s")));
    rejects("active-health-check: 'timeout' must be between",
        () -> ActiveHealthCheck.from((e, t) -> true, Map.of("timeout", "0ms")));
    rejects("maxEjectionTime must be >= baseEjectionTime",
        () -> OutlierDetection.from(Map.of("base-ejection-time", "10m", "max-ejection-time", "1m")));
  }
}
