package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class SmoothWeightedRoundRobinTest {

  @Test
  void weightsFiveOneOneAreSpreadNotBursted() {
    int[] schedule = PfairSchedule.build(new int[] {5, 1, 1});
    assertArrayEquals(new int[] {0, 0, 0, 1, 0, 0, 2}, schedule);
    assertEquals(3, longestCyclicRun(schedule), "nginx's a a b a c a a repeats into a run of 4");
  }

  @Test
  void lagStaysBelowOneOnEveryPrefixForSeededWeightSets() {
    SplittableRandom random = new SplittableRandom(42);
    double worst = 0;
    for (int set = 0; set < 2_000; set++) {
      int n = 2 + random.nextInt(19);
      int bound = new int[] {3, 10, 100, 1000}[random.nextInt(4)];
      int[] weights = new int[n];
      for (int i = 0; i < n; i++) {
        weights[i] = 1 + random.nextInt(bound);
      }
      worst = Math.max(worst, maxLag(weights));
    }
    assertTrue(worst < 1, "max lag " + worst);
  }

  @Test
  void lagStaysBelowOneWhereNginxRuleExceedsIt() {
    assertTrue(maxLag(new int[] {10, 1, 3, 1, 32, 32, 3}) < 1);
    assertTrue(maxLag(new int[] {4, 4, 7, 25, 50, 1, 6, 50}) < 1);
  }

  @Test
  void weightsFromOneToTenThousandAreHonouredExactly() {
    int[] weights = {1, 10_000, 7, 9_999, 2, 5_000};
    int[] schedule = PfairSchedule.build(weights);
    assertEquals(25_009, schedule.length);
    int[] counts = new int[weights.length];
    for (int index : schedule) {
      counts[index]++;
    }
    assertArrayEquals(weights, counts);
    assertTrue(maxLag(weights) < 1);
  }

  @Test
  void equalWeightsNeedNoSchedule() {
    assertNull(PfairSchedule.build(new int[] {3, 3, 3}));
  }

  @Test
  void membershipChangeDoesNotResetTheCursor() {
    EndpointGroup<String> group = EndpointGroup.of(
        Endpoint.of("a"), Endpoint.of("b"), Endpoint.of("c"), Endpoint.of("d"));
    try (LoadBalancer<String> lb = LoadBalancer.builder(group)
        .strategy(new RoundRobinStrategy(false, 0)).build()) {
      assertEquals("a", lb.pick().address());
      assertEquals("b", lb.pick().address());
      group.add(Endpoint.of("e"));
      assertEquals("c", lb.pick().address());
      group.remove("a");
      assertEquals("e", lb.pick().address(), "position 3 of b c d e");
    }
  }

  @Test
  void everyEndpointGetsItsShareWithinATenthOfAPercentOnTwoThreads() throws Exception {
    int[] weights = {5, 3, 2, 7, 1};
    List<Endpoint<String>> endpoints = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      endpoints.add(Endpoint.of("e" + i, weights[i]));
    }
    try (LoadBalancer<String> lb = LoadBalancer.builder(EndpointGroup.of(endpoints))
        .strategy(Strategies.smoothWeightedRoundRobin()).build()) {
      Map<String, LongAdder> counts = new ConcurrentHashMap<>();
      endpoints.forEach(e -> counts.put(e.address(), new LongAdder()));
      int perThread = 500_000;
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Thread thread = new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          for (int i = 0; i < perThread; i++) {
            counts.get(lb.pick().address()).increment();
          }
        });
        threads.add(thread);
        thread.start();
      }
      start.countDown();
      for (Thread thread : threads) {
        thread.join();
      }
      double total = 2.0 * perThread;
      for (int i = 0; i < weights.length; i++) {
        double share = counts.get("e" + i).sum() / total;
        double ideal = weights[i] / 18.0;
        assertEquals(ideal, share, 0.001, "share of e" + i);
      }
    }
  }

  static double maxLag(int[] weights) {
    int[] schedule = PfairSchedule.build(weights);
    long[] reduced = PfairSchedule.reduce(weights);
    long total = 0;
    for (long w : reduced) {
      total += w;
    }
    if (schedule == null) {
      return 0;
    }
    long[] counts = new long[weights.length];
    double worst = 0;
    for (int t = 0; t < schedule.length; t++) {
      counts[schedule[t]]++;
      for (int i = 0; i < weights.length; i++) {
        // lag * total, in exact integer arithmetic
        long scaledLag = Math.abs(counts[i] * total - (t + 1) * reduced[i]);
        worst = Math.max(worst, scaledLag / (double) total);
        if (scaledLag >= total) {
          return scaledLag / (double) total;
        }
      }
    }
    return worst;
  }

  private static int longestCyclicRun(int[] schedule) {
    int longest = 1;
    int run = 1;
    for (int i = 1; i < 2 * schedule.length; i++) {
      run = schedule[i % schedule.length] == schedule[(i - 1) % schedule.length] ? run + 1 : 1;
      longest = Math.max(longest, run);
    }
    return longest;
  }
}
