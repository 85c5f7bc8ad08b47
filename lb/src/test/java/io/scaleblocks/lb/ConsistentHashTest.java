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

  @Test
  void replacingOneEndpointInOneChangeMovesOnlyItsKeys() {
    EndpointGroup<String> group = group(10);
    try (LoadBalancer<String> lb = balancer(group, Strategies.ipHash())) {
      String[] before = placeAll(lb);
      List<Endpoint<String>> next = new ArrayList<>(group.endpoints());
      String leaver = next.remove(3).address();
      next.add(Endpoint.of("10.9.9.9:8080"));
      group.replaceAll(next);
      String[] after = placeAll(lb);
      int moved = 0;
      for (int i = 0; i < KEYS; i++) {
        if (!before[i].equals(after[i])) {
          moved++;
          assertEquals(leaver, before[i], "only the leaver's keys move");
          assertEquals("10.9.9.9:8080", after[i], "and they go to the newcomer");
        }
      }
      assertTrue(moved < KEYS * 0.11, "moved " + moved);
    }
  }

  @Test
  void hugeWeightsAreReducedSoAChangeStaysCheap() {
    EndpointGroup<String> group = EndpointGroup.of();
    for (int i = 0; i < 8; i++) {
      group.add(Endpoint.of("10.2.0." + i + ":8080", 1_000_000));
    }
    try (LoadBalancer<String> lb = balancer(group, Strategies.ipHash())) {
      long started = System.nanoTime();
      group.update(Endpoint.of("10.2.0.3:8080", 500_000));
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(millis < 200, "one weight change took " + millis + " ms");
      int[] counts = new int[8];
      String[] placed = placeAll(lb);
      for (String address : placed) {
        counts[Integer.parseInt(address.substring(7, address.indexOf(':')))]++;
      }
      double unit = KEYS / 7.5;
      for (int i = 0; i < 8; i++) {
        double expected = i == 3 ? unit / 2 : unit;
        assertEquals(expected, counts[i], expected * 0.1, "endpoint " + i);
      }
    }
  }

  @Test
  void removingTheHeaviestEndpointMovesOnlyItsKeys() {
    EndpointGroup<String> group = EndpointGroup.of();
    group.add(Endpoint.of("10.3.0.0:8080", 8192));
    for (int i = 1; i <= 8; i++) {
      group.add(Endpoint.of("10.3.0." + i + ":8080", 100));
    }
    try (LoadBalancer<String> lb = balancer(group, Strategies.ipHash())) {
      String[] before = placeAll(lb);
      group.remove("10.3.0.0:8080");
      String[] after = placeAll(lb);
      int moved = 0;
      for (int k = 0; k < KEYS; k++) {
        if (!before[k].equals(after[k])) {
          moved++;
          assertEquals("10.3.0.0:8080", before[k], "a key moved between two survivors");
        }
      }
      assertTrue(moved > KEYS / 2, "the heaviest endpoint's keys moved: " + moved);
      int[] counts = new int[9];
      for (String address : after) {
        counts[Integer.parseInt(address.substring(7, address.indexOf(':')))]++;
      }
      for (int i = 1; i <= 8; i++) {
        assertEquals(KEYS / 8.0, counts[i], KEYS / 8.0 * 0.1, "endpoint " + i);
      }
    }
  }

  @Test
  void twoEndpointsWithOneIdAreRefused() {
    record Backend(String host, int instance) {
      @Override
      public String toString() {
        return host;
      }
    }
    EndpointGroup<Backend> group = EndpointGroup.of(Endpoint.of(new Backend("10.0.0.1:80", 1)));
    IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> group.add(Endpoint.of(new Backend("10.0.0.1:80", 2))));
    assertTrue(refused.getMessage().contains("10.0.0.1:80"), refused.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> EndpointGroup.of(Endpoint.of(new Backend("a", 1)), Endpoint.of(new Backend("a", 2))));
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
