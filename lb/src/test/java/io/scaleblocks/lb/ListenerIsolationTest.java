package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Listeners and group subscribers run outside every lock; what they throw is logged, not felt. */
class ListenerIsolationTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

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
  void aListenerThrowingOnHealthChangeNeitherFreezesTheEndpointNorStopsItsProbes() {
    Set<String> down = ConcurrentHashMap.newKeySet();
    ActiveHealthCheck check = ActiveHealthCheck.builder(
            (endpoint, timeout) -> !down.contains(endpoint.address().toString()))
        .interval(Duration.ofHours(1)).unhealthyThreshold(1).healthyThreshold(1).build();
    try (LoadBalancer<String> lb = LoadBalancer.builder(group(3)).ticker(now::get)
        .refreshInterval(Duration.ZERO).strategy(Strategies.roundRobin())
        .activeHealthCheck(check).build()) {
      lb.addListener(new LoadBalancerListener<>() {
        @Override
        public void onHealthChange(Endpoint<String> endpoint, boolean healthy) {
          throw new IllegalStateException("alerting backend down");
        }
      });
      HealthAwareLoadBalancer<String> balancer = (HealthAwareLoadBalancer<String>) lb;
      down.add("e1");
      balancer.probeAllNow();
      assertFalse(picked(lb, 30).contains("e1"), "a down endpoint left rotation");
      down.clear();
      balancer.probeAllNow();
      assertTrue(picked(lb, 30).contains("e1"), "a recovered endpoint came back");
    }
  }

  @Test
  void aListenerThrowingOnEjectionEjectsFullyAndTheCallerSeesItsOwnFailure() {
    OutlierDetection detection = OutlierDetection.builder().consecutiveFailures(1)
        .maxEjectionPercent(50).build();
    try (LoadBalancer<String> lb = LoadBalancer.builder(group(3)).ticker(now::get)
        .refreshInterval(Duration.ZERO).strategy(Strategies.roundRobin())
        .outlierDetection(detection).build()) {
      lb.addListener(new LoadBalancerListener<>() {
        @Override
        public void onEjection(Endpoint<String> endpoint, Duration duration) {
          throw new IllegalStateException("listener bug");
        }
      });
      FailoverExecutor<String> executor = FailoverExecutor.of(lb,
          RetryPolicy.builder().maxAttempts(1).build(), now::get);
      FailoverException failure = assertThrows(FailoverException.class,
          () -> executor.execute((endpoint, timeout) -> {
            throw new IOException("connection reset by " + endpoint.id());
          }));
      assertInstanceOf(IOException.class, failure.getCause());
      String ejected = failure.getCause().getMessage().substring("connection reset by ".length());
      assertTrue(lb.status().stream()
          .anyMatch(s -> s.endpoint().address().equals(ejected) && s.ejected()));
      assertFalse(picked(lb, 30).contains(ejected), "the ejected endpoint left rotation");
    }
  }

  @Test
  void aListenerThatChangesTheGroupFromAnotherThreadDoesNotDeadlock() throws Exception {
    EndpointGroup<String> group = group(4);
    OutlierDetection detection = OutlierDetection.builder().consecutiveFailures(1)
        .maxEjectionPercent(50).build();
    AtomicBoolean removedInTime = new AtomicBoolean();
    try (LoadBalancer<String> lb = LoadBalancer.builder(group).ticker(now::get)
        .refreshInterval(Duration.ZERO).outlierDetection(detection).build()) {
      lb.addListener(new LoadBalancerListener<>() {
        @Override
        public void onEjection(Endpoint<String> endpoint, Duration duration) {
          // deregisters the ejected endpoint through a discovery client thread, and waits for it
          Thread deregister = new Thread(() -> group.remove(endpoint.address()));
          deregister.start();
          try {
            deregister.join(2_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          removedInTime.set(!deregister.isAlive());
        }
      });
      Thread caller = new Thread(() -> {
        lb.callStarted(Endpoint.of("e2"));
        lb.callFinished(Endpoint.of("e2"), false);
      });
      caller.start();
      caller.join(10_000);
      assertFalse(caller.isAlive(), "the failing call returned");
      assertTrue(removedInTime.get(), "the listener's group change completed");
      assertEquals(List.of("e0", "e1", "e3"),
          group.endpoints().stream().map(Endpoint::address).toList());
      assertFalse(picked(lb, 40).contains("e2"));
    }
  }

  @Test
  void aThrowingGroupSubscriberNeitherFailsTheChangeNorHidesItFromLaterSubscribers()
      throws Exception {
    EndpointGroup<String> group = group(2);
    List<List<Endpoint<String>>> seen = new CopyOnWriteArrayList<>();
    AutoCloseable first = group.subscribe(endpoints -> {
      if (endpoints.size() > 2) {
        throw new IllegalStateException("subscriber bug");
      }
    });
    AutoCloseable second = group.subscribe(seen::add);
    try (LoadBalancer<String> lb = LoadBalancer.builder(group).build()) {
      group.add(Endpoint.of("e2"));
      assertEquals(3, seen.get(seen.size() - 1).size(), "the later subscriber saw the change");
      assertTrue(picked(lb, 30).contains("e2"), "a balancer subscribed after it saw it too");
    } finally {
      first.close();
      second.close();
    }
  }

  @Test
  void healthEventsOfOneBalancerArriveInTheOrderTheyHappened() {
    Set<String> down = ConcurrentHashMap.newKeySet();
    ActiveHealthCheck check = ActiveHealthCheck.builder(
            (endpoint, timeout) -> !down.contains(endpoint.address().toString()))
        .interval(Duration.ofHours(1)).unhealthyThreshold(1).healthyThreshold(1).build();
    List<String> events = new ArrayList<>();
    try (LoadBalancer<String> lb = LoadBalancer.builder(group(2)).ticker(now::get)
        .refreshInterval(Duration.ZERO).activeHealthCheck(check).build()) {
      lb.addListener(new LoadBalancerListener<>() {
        @Override
        public void onHealthChange(Endpoint<String> endpoint, boolean healthy) {
          synchronized (events) {
            events.add(endpoint.address() + (healthy ? " up" : " down"));
          }
        }
      });
      HealthAwareLoadBalancer<String> balancer = (HealthAwareLoadBalancer<String>) lb;
      for (int i = 0; i < 5; i++) {
        down.add("e0");
        balancer.probeAllNow();
        down.clear();
        balancer.probeAllNow();
      }
      synchronized (events) {
        assertEquals(10, events.size());
        for (int i = 0; i < events.size(); i++) {
          assertEquals(i % 2 == 0 ? "e0 down" : "e0 up", events.get(i));
        }
      }
    }
  }

  @Test
  void aListenerThrowingAnErrorStopsNoLaterEventAndTheCallerSeesItsOwnFailure()
      throws Exception {
    Set<String> down = ConcurrentHashMap.newKeySet();
    ActiveHealthCheck check = ActiveHealthCheck.builder(
            (endpoint, timeout) -> !down.contains(endpoint.address().toString()))
        .interval(Duration.ofHours(1)).unhealthyThreshold(1).healthyThreshold(1).build();
    OutlierDetection detection = OutlierDetection.builder().consecutiveFailures(1)
        .maxEjectionPercent(50).build();
    EndpointGroup<String> group = group(3);
    List<String> events = new CopyOnWriteArrayList<>();
    AtomicBoolean pickFailed = new AtomicBoolean();
    try (LoadBalancer<String> lb = LoadBalancer.builder(group).ticker(now::get)
        .refreshInterval(Duration.ZERO).strategy(Strategies.roundRobin())
        .activeHealthCheck(check).outlierDetection(detection).build()) {
      lb.addListener(new LoadBalancerListener<>() {
        @Override
        public void onPick(Endpoint<String> endpoint) {
          if (pickFailed.compareAndSet(false, true)) {
            throw new NoClassDefFoundError("io/example/PickCounter");
          }
        }

        @Override
        public void onHealthChange(Endpoint<String> endpoint, boolean healthy) {
          events.add(endpoint.address() + (healthy ? " up" : " down"));
          throw new AssertionError("listener invariant broken");
        }

        @Override
        public void onEjection(Endpoint<String> endpoint, Duration duration) {
          events.add(endpoint.address() + " ejected");
          throw new StackOverflowError();
        }

        @Override
        public void onEndpointRemoved(Endpoint<String> endpoint) {
          events.add(endpoint.address() + " removed");
          throw new NoClassDefFoundError("io/example/Alerts");
        }
      });
      HealthAwareLoadBalancer<String> balancer = (HealthAwareLoadBalancer<String>) lb;
      assertEquals(3, picked(lb, 30).size(), "a pick whose listener threw still returned");
      down.add("e1");
      balancer.probeAllNow();
      down.clear();
      balancer.probeAllNow();
      down.add("e2");
      balancer.probeAllNow();
      assertEquals(List.of("e1 down", "e1 up", "e2 down"), events, "recovery and a later"
          + " endpoint going down were both delivered after the first Error");
      FailoverExecutor<String> executor = FailoverExecutor.of(lb,
          RetryPolicy.builder().maxAttempts(1).build(), now::get);
      FailoverException failure = assertThrows(FailoverException.class,
          () -> executor.execute((endpoint, timeout) -> {
            throw new IOException("connection reset by " + endpoint.id());
          }));
      assertInstanceOf(IOException.class, failure.getCause(), "the caller's own failure");
      String ejected = failure.getCause().getMessage().substring("connection reset by ".length());
      assertEquals(ejected + " ejected", events.get(3));
      group.remove("e2");
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (events.size() < 5 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(List.of("e1 down", "e1 up", "e2 down", ejected + " ejected", "e2 removed"),
          events);
    }
  }
}
