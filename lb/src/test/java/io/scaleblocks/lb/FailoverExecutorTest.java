package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailoverExecutorTest {

  private final AtomicLong now = new AtomicLong();

  private LoadBalancer<String> balancer(int n, Strategy strategy) {
    EndpointGroup<String> group = EndpointGroup.of();
    for (int i = 0; i < n; i++) {
      group.add(Endpoint.of("e" + i));
    }
    return LoadBalancer.builder(group).strategy(strategy).refreshInterval(Duration.ZERO).build();
  }

  @Test
  void aFailedCallIsRetriedOnAnotherEndpointNeverTheSameTwiceInARow() {
    try (LoadBalancer<String> lb = balancer(2, Strategies.random())) {
      FailoverExecutor<String> executor = FailoverExecutor.of(lb,
          RetryPolicy.builder().maxAttempts(5).minRetriesPerSecond(1000).build(), now::get);
      for (int call = 0; call < 200; call++) {
        List<String> tried = new ArrayList<>();
        FailoverException e = assertThrows(FailoverException.class, () ->
            executor.execute((endpoint, timeout) -> {
              tried.add(endpoint.address());
              throw new IOException("down");
            }));
        assertEquals(5, e.attempts());
        assertEquals(4, e.getSuppressed().length);
        for (int i = 1; i < tried.size(); i++) {
          assertNotEquals(tried.get(i - 1), tried.get(i));
        }
      }
    }
  }

  @Test
  void aSuccessfulRetryReturnsItsResult() {
    try (LoadBalancer<String> lb = balancer(3, Strategies.roundRobin())) {
      FailoverExecutor<String> executor = FailoverExecutor.of(lb, RetryPolicy.ofDefaults());
      AtomicInteger calls = new AtomicInteger();
      String result = executor.execute((endpoint, timeout) -> {
        if (calls.incrementAndGet() == 1) {
          throw new IOException("first try fails");
        }
        return "ok from " + endpoint.address();
      });
      assertTrue(result.startsWith("ok from"));
      assertEquals(2, calls.get());
    }
  }

  @Test
  void aSingleEndpointIsNotRetried() {
    try (LoadBalancer<String> lb = balancer(1, Strategies.roundRobin())) {
      FailoverExecutor<String> executor = FailoverExecutor.of(lb, RetryPolicy.ofDefaults());
      AtomicInteger calls = new AtomicInteger();
      assertThrows(FailoverException.class, () -> executor.execute((endpoint, timeout) -> {
        calls.incrementAndGet();
        throw new IOException("down");
      }));
      assertEquals(1, calls.get());
    }
  }

  @Test
  void theRetryBudgetCapsRetriesInAnOutage() {
    try (LoadBalancer<String> lb = balancer(3, Strategies.roundRobin())) {
      RetryPolicy policy = RetryPolicy.builder().maxAttempts(3).budgetRatio(0.2)
          .minRetriesPerSecond(0).build();
      FailoverExecutor<String> executor = FailoverExecutor.of(lb, policy, now::get);
      AtomicInteger calls = new AtomicInteger();
      int requests = 1_000;
      for (int i = 0; i < requests; i++) {
        assertThrows(FailoverException.class, () -> executor.execute((endpoint, timeout) -> {
          calls.incrementAndGet();
          throw new IOException("outage");
        }));
      }
      int retries = calls.get() - requests;
      assertTrue(retries <= 0.2 * requests + 1, retries + " retries for " + requests);
      assertTrue(retries >= 0.2 * requests - 1, retries + " retries for " + requests);
    }
  }

  @Test
  void theMinimumRetriesPerSecondRefillWithTime() {
    try (LoadBalancer<String> lb = balancer(2, Strategies.roundRobin())) {
      RetryPolicy policy = RetryPolicy.builder().budgetRatio(0).minRetriesPerSecond(2).build();
      FailoverExecutor<String> executor = FailoverExecutor.of(lb, policy, now::get);
      AtomicInteger calls = new AtomicInteger();
      Runnable failing = () -> assertThrows(FailoverException.class,
          () -> executor.execute((endpoint, timeout) -> {
            calls.incrementAndGet();
            throw new IOException("down");
          }));
      for (int i = 0; i < 5; i++) {
        failing.run();
      }
      assertEquals(5 + 2, calls.get(), "two retries in the initial balance");
      now.addAndGet(Duration.ofSeconds(1).toNanos());
      calls.set(0);
      for (int i = 0; i < 5; i++) {
        failing.run();
      }
      assertEquals(5 + 2, calls.get(), "two more a second later");
    }
  }

  @Test
  void failuresTheRetryPredicateRejectsAreNotRetried() {
    try (LoadBalancer<String> lb = balancer(3, Strategies.roundRobin())) {
      FailoverExecutor<String> executor = FailoverExecutor.of(lb, RetryPolicy.builder()
          .retryOn(failure -> failure instanceof IOException).build());
      AtomicInteger calls = new AtomicInteger();
      FailoverException e = assertThrows(FailoverException.class,
          () -> executor.execute((endpoint, timeout) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("bad request");
          }));
      assertEquals(1, calls.get());
      assertInstanceOf(IllegalStateException.class, e.getCause());
    }
  }

  @Test
  void anAsyncTrySlowerThanThePerTryTimeoutIsRetriedElsewhere() throws Exception {
    try (LoadBalancer<String> lb = balancer(2, new RoundRobinStrategy(false, 0))) {
      FailoverExecutor<String> executor = FailoverExecutor.of(lb,
          RetryPolicy.builder().perTryTimeout(Duration.ofMillis(50)).build());
      List<String> tried = new ArrayList<>();
      String result = executor.<String>executeAsync(endpoint -> {
        tried.add(endpoint.address());
        return endpoint.address().equals("e0")
            ? new CompletableFuture<>()
            : CompletableFuture.completedFuture("answered by " + endpoint.address());
      }).get();
      assertEquals("answered by e1", result);
      assertEquals(List.of("e0", "e1"), tried);
    }
  }

  @Test
  void anAsyncCallThatTimesOutEverywhereFailsWithTheTimeout() {
    try (LoadBalancer<String> lb = balancer(2, Strategies.roundRobin())) {
      FailoverExecutor<String> executor = FailoverExecutor.of(lb,
          RetryPolicy.builder().maxAttempts(2).perTryTimeout(Duration.ofMillis(20)).build());
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> executor.<String>executeAsync(endpoint -> new CompletableFuture<>()).get());
      assertInstanceOf(FailoverException.class, e.getCause());
      assertInstanceOf(TimeoutException.class, e.getCause().getCause());
    }
  }

  @Test
  void triesAreReportedSoFailuresEjectTheEndpoint() {
    EndpointGroup<String> group = EndpointGroup.of(Endpoint.of("bad"), Endpoint.of("good"));
    try (LoadBalancer<String> lb = LoadBalancer.builder(group)
        .strategy(new RoundRobinStrategy(false, 0))
        .outlierDetection(OutlierDetection.builder().consecutiveFailures(2).build())
        .refreshInterval(Duration.ZERO).build()) {
      FailoverExecutor<String> executor = FailoverExecutor.of(lb, RetryPolicy.ofDefaults());
      for (int i = 0; i < 10; i++) {
        assertEquals("good", executor.execute((endpoint, timeout) -> {
          if (endpoint.address().equals("bad")) {
            throw new IOException("bad");
          }
          return endpoint.address();
        }));
      }
      assertTrue(lb.status().get(0).ejected());
      assertEquals(0, lb.status().get(0).inFlight());
    }
  }
}
