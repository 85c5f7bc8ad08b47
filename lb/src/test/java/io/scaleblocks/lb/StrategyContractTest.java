package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.scaleblocks.sharding.Hashing;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One specification run over every strategy. */
class StrategyContractTest {

  static Stream<Arguments> strategies() {
    return Stream.of(
        Arguments.of("roundRobin", Strategies.roundRobin()),
        Arguments.of("smoothWeightedRoundRobin", Strategies.smoothWeightedRoundRobin()),
        Arguments.of("random", Strategies.random()),
        Arguments.of("weightedRandom", Strategies.weightedRandom()),
        Arguments.of("leastRequest", Strategies.leastRequest()),
        Arguments.of("ipHash", Strategies.ipHash()),
        Arguments.of("keyHash", Strategies.keyHash(Hashing.murmur3())),
        Arguments.of("sticky", Strategies.sticky(Strategies.roundRobin())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void picksOnlyMembersAndReachesEveryOne(String name, Strategy strategy) {
    List<Endpoint<String>> endpoints = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      endpoints.add(Endpoint.of("10.0.0." + i + ":80", 1 + i % 3));
    }
    try (LoadBalancer<String> lb = LoadBalancer.builder(EndpointGroup.of(endpoints))
        .strategy(strategy).build()) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 10_000; i++) {
        seen.add(lb.pick("client-" + i).address());
      }
      assertEquals(10, seen.size(), "every endpoint is reached: " + seen);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void neverReturnsAnEndpointRemovedBeforeThePickBegan(String name, Strategy strategy)
      throws Exception {
    EndpointGroup<Integer> group = EndpointGroup.of(
        Endpoint.of(0), Endpoint.of(1), Endpoint.of(2), Endpoint.of(3));
    try (LoadBalancer<Integer> lb = LoadBalancer.builder(group).strategy(strategy).build()) {
      int[] removedBelow = {0};
      AtomicBoolean done = new AtomicBoolean();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread churn = new Thread(() -> {
        for (int next = 4; next < 3_000; next++) {
          group.add(Endpoint.of(next, 1 + next % 4));
          group.remove(next - 4);
          synchronized (removedBelow) {
            removedBelow[0] = next - 3;
          }
        }
        done.set(true);
      });
      List<Thread> pickers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        pickers.add(new Thread(() -> {
          try {
            String key = "k";
            while (!done.get()) {
              int bound;
              synchronized (removedBelow) {
                bound = removedBelow[0];
              }
              int picked = lb.pick(key).address();
              if (picked < bound) {
                fail("picked " + picked + " after every endpoint below " + bound + " left");
              }
              key = key.length() > 8 ? "k" : key + "x";
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }));
      }
      pickers.forEach(Thread::start);
      churn.start();
      churn.join();
      for (Thread picker : pickers) {
        picker.join();
      }
      if (failure.get() != null) {
        throw new AssertionError(failure.get());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strategies")
  void allocatesNothingPerPick(String name, Strategy strategy) {
    List<Endpoint<String>> endpoints = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      endpoints.add(Endpoint.of("10.0.1." + i + ":80", 1 + i % 5));
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (LoadBalancer<String> lb = LoadBalancer.builder(EndpointGroup.of(endpoints))
        .strategy(strategy).build()) {
      String[] keys = new String[64];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = "192.168.0." + i;
      }
      long sink = 0;
      for (int i = 0; i < 200_000; i++) {
        sink += lb.pick(keys[i & 63]).weight();
      }
      long thread = Thread.currentThread().getId();
      long before = threads.getThreadAllocatedBytes(thread);
      for (int i = 0; i < 1_000_000; i++) {
        sink += lb.pick(keys[i & 63]).weight();
      }
      long allocated = threads.getThreadAllocatedBytes(thread) - before;
      assertTrue(sink > 0);
      assertTrue(allocated < 10_000, allocated + " bytes allocated over 1,000,000 picks");
    }
  }
}
