package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsistentHashTest {

  private static final int KEYS = 100_000;

  @Test
  void sameKeyReachesSameEndpoint() {
    try (LoadBalancer<String> lb = balancer(group(10), Strategies.ipHash())) {
      for (int i = 0; i < 1_000; i++) {
        String ip = "172.16." + (i / 250) + "." + (i % 250);
        String first = lb.pick(ip).address();
        for (int repeat = 0; repeat < 10; repeat++) {
          assertEquals(first, lb.pick(ip).address());
        }
      }
    }
  }

  @Test
  void removingOneOfNEndpointsMovesOnlyItsKeys() {
    for (int n : new int[] {10, 100, 1000}) {
      EndpointGroup<String> group = group(n);
      try (LoadBalancer<String> lb = balancer(group, Strategies.ipHash())) {
        String[] before = placeAll(lb);
        String removed = "10.1." + (n / 2 / 250) + "." + (n / 2 % 250) + ":8080";
        group.remove(removed);
        String[] after = placeAll(lb);
        int moved = 0;
        for (int k = 0; k < KEYS; k++) {
          if (!before[k].equals(after[k])) {
            moved++;
            assertEquals(removed, before[k], "a key moved between two surviving endpoints");
          }
        }
        double share = moved / (double) KEYS;
        assertTrue(share <= 1.0 / n + 0.01, n + " endpoints: moved " + share);
        assertTrue(moved > 0);
      }
    }
  }

  @Test
  void anEjectedEndpointLosesOnlyItsKeysAndGetsThemBack() {
    AtomicLong now = new AtomicLong();
    EndpointGroup<String> group = group(20);
    try (LoadBalancer<String> lb = LoadBalancer.builder(group)
        .strategy(Strategies.ipHash())
        .ticker(now::get)
        .refreshInterval(Duration.ZERO)
        .outlierDetection(OutlierDetection.builder().consecutiveFailures(1).build())
        .build()) {
      String[] before = placeAll(lb);
      Endpoint<String> victim = group.endpoints().get(7);
      lb.callStarted(victim);
      lb.callFinished(victim, false);
      String[] during = placeAll(lb);
      for (int k = 0; k < KEYS; k++) {
        if (!before[k].equals(during[k])) {
          assertEquals(victim.address(), before[k]);
        }
      }
      now.addAndGet(OutlierDetection.DEFAULT_BASE_EJECTION_TIME.toNanos());
      lb.refresh();
      String[] after = placeAll(lb);
      for (int k = 0; k < KEYS; k++) {
        assertEquals(before[k], after[k]);
      }
    }
  }

  @Test
  void keysSpreadInProportionToWeights() {
    List<Endpoint<String>> endpoints = List.of(
        Endpoint.of("a", 5), Endpoint.of("b", 3), Endpoint.of("c", 2));
    try (LoadBalancer<String> lb = balancer(EndpointGroup.of(endpoints), Strategies.ipHash())) {
      String[] placed = placeAll(lb);
      long a = Arrays.stream(placed).filter("a"::equals).count();
      assertEquals(0.5, a / (double) KEYS, 0.01);
    }
  }

  @Test
  void dottedQuadsAreHashedAsTheirValueAndAnythingElseAsText() {
    assertEquals(0xC0A80001L, ConsistentHashStrategy.ipv4("192.168.0.1"));
    assertEquals(0xFFFFFFFFL, ConsistentHashStrategy.ipv4("255.255.255.255"));
    assertEquals(0L, ConsistentHashStrategy.ipv4("0.0.0.0"));
    for (String notIpv4 : new String[] {"256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.",
        ".1.2.3", "::1", "2001:db8::1", "user-42", "1234.1.1.1"}) {
      assertEquals(-1, ConsistentHashStrategy.ipv4(notIpv4), notIpv4);
    }
  }

  @Test
  void churnInOneChangeMovesKeysOnlyFromLeaversAndToNewcomersOrReweighted() {
    EndpointGroup<String> group = group(50);
    try (LoadBalancer<String> lb = balancer(group, Strategies.ipHash())) {
      String[] before = placeAll(lb);
      List<Endpoint<String>> next = new ArrayList<>(group.endpoints());
      String leaving = next.get(17).address();
      String reweighted = next.get(30).address();
      next.set(17, Endpoint.of("10.9.9.9:8080"));
      next.set(30, next.get(30).withWeight(3));
      next.add(Endpoint.of("10.9.9.10:8080"));
      group.replaceAll(next);
      String[] after = placeAll(lb);
      int moved = 0;
      for (int k = 0; k < KEYS; k++) {
        if (!before[k].equals(after[k])) {
          moved++;
          boolean fromChanged = before[k].equals(leaving) || before[k].equals(reweighted);
          boolean toChanged = after[k].startsWith("10.9.9.") || after[k].equals(reweighted);
          assertTrue(fromChanged || toChanged,
              "key " + k + " moved between untouched endpoints " + before[k] + " -> " + after[k]);
        }
        assertFalse(after[k].equals(leaving), "key " + k + " still reaches the removed endpoint");
      }
      assertTrue(moved > 0);
    }
  }

  static String[] placeAll(LoadBalancer<String> lb) {
    String[] placed = new String[KEYS];
    for (int k = 0; k < KEYS; k++) {
      placed[k] = lb.pick("user-" + k).address();
    }
    return placed;
  }

  static EndpointGroup<String> group(int n) {
    List<Endpoint<String>> endpoints = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      endpoints.add(Endpoint.of("10.1." + (i / 250) + "." + (i % 250) + ":8080"));
    }
    return EndpointGroup.of(endpoints);
  }

  private static LoadBalancer<String> balancer(EndpointGroup<String> group, Strategy strategy) {
    return LoadBalancer.builder(group).strategy(strategy).refreshInterval(Duration.ZERO).build();
  }
}
