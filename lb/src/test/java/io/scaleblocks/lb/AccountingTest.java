package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.testkit.Await;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** In-flight counts, cancellation, per-try timeouts and the retry budget add up. */
class AccountingTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private static EndpointGroup<String> group(int n) {
    EndpointGroup<String> group = EndpointGroup.of();
    for (int i = 0; i < n; i++) {
      group.add(Endpoint.of("e" + i));
    }
    return group;
  }

  private static int inFlight(LoadBalancer<String> lb, String address) {
    return lb.status().stream().filter(s -> s.endpoint().address().equals(address))
        .findFirst().orElseThrow().inFlight();
  }

  @Test
  void callsInFlightAcrossARemoveAndReAddAreCountedOnce() {
    EndpointGroup<String> group = group(2);
    try (LoadBalancer<String> lb = LoadBalancer.builder(group)
        .strategy(Strategies.leastRequest()).build()) {
      for (int i = 0; i < 5; i++) {
        lb.callStarted(Endpoint.of("e0"));
      }
      group.remove("e0");
      lb.callFinished(Endpoint.of("e0"), true);
      lb.callFinished(Endpoint.of("e0"), true);
      group.add(Endpoint.of("e0"));
      assertEquals(3, inFlight(lb, "e0"), "the calls still running on e0 are still counted");
      for (int i = 0; i < 5; i++) {
        lb.callFinished(Endpoint.of("e0"), true);
      }
      assertEquals(0, inFlight(lb, "e0"), "never below zero");
      lb.callStarted(Endpoint.of("e0"));
      lb.callStarted(Endpoint.of("e0"));
      int toE0 = 0;
      for (int i = 0; i < 1000; i++) {
        toE0 += lb.pick().address().equals("e0") ? 1 : 0;
      }
      assertEquals(0, toE0, "least request sends nothing to the busier endpoint");
    }
  }

  @Test
  void aCallStartedWhileItsEndpointWasOutAndFinishedAfterItsReAddLeavesTheOtherCallsCounted() {
    EndpointGroup<String> group = group(2);
    try (LoadBalancer<String> lb = LoadBalancer.builder(group)
        .strategy(Strategies.leastRequest()).build()) {
      Endpoint<String> e0 = lb.status().get(0).endpoint();
      group.remove("e0");
      lb.callStarted(e0);             // a caller that picked e0 just before it left
      group.add(Endpoint.of("e0"));
      lb.callStarted(Endpoint.of("e0"));
      lb.callFinished(e0, true);      // the first caller's call ends
      assertEquals(1, inFlight(lb, "e0"), "the second call is still running on e0");
      lb.callStarted(Endpoint.of("e1"));
      lb.callStarted(Endpoint.of("e1"));
      int toE0 = 0;
      for (int i = 0; i < 1000; i++) {
        toE0 += lb.pick().address().equals("e0") ? 1 : 0;
      }
      assertEquals(1000, toE0, "least request sees e0 with one call, e1 with two");
      lb.callFinished(Endpoint.of("e0"), true);
      assertEquals(0, inFlight(lb, "e0"));
    }
  }

  @Test
  void inFlightCountsAddUpUnderRemovesAndReAddsFromOtherThreads() throws Exception {
    EndpointGroup<String> group = group(2);
    try (LoadBalancer<String> lb = LoadBalancer.builder(group)
        .strategy(Strategies.leastRequest()).build()) {
      AtomicBoolean running = new AtomicBoolean(true);
      Thread churn = new Thread(() -> {
        while (running.get()) {
          group.remove("e0");
          group.add(Endpoint.of("e0"));
        }
      });
      List<Thread> callers = new java.util.ArrayList<>();
      for (int t = 0; t < 2; t++) {
        callers.add(new Thread(() -> {
          for (int i = 0; i < 200_000; i++) {
            Endpoint<String> e0 = Endpoint.of("e0");
            lb.callStarted(e0);
            lb.callFinished(e0, true);
          }
        }));
      }
      churn.start();
      callers.forEach(Thread::start);
      for (Thread caller : callers) {
        caller.join();
      }
      running.set(false);
      churn.join();
      assertEquals(0, inFlight(lb, "e0"), "every call finished: none left counted");
    }
  }

  @Test
  void cancellingAnAsyncCallStopsItsRetries() {
    try (LoadBalancer<String> lb = LoadBalancer.builder(group(3)).build()) {
      FailoverExecutor<String> executor = FailoverExecutor.of(lb,
          RetryPolicy.builder().perTryTimeout(Duration.ofSeconds(30)).build());
      AtomicInteger calls = new AtomicInteger();
      List<CompletableFuture<String>> tries = new CopyOnWriteArrayList<>();
      CompletableFuture<String> result = executor.executeAsync(endpoint -> {
        calls.incrementAndGet();
        CompletableFuture<String> tried = new CompletableFuture<>();
        tries.add(tried);
        return tried;
      });
      result.cancel(true);
      tries.get(0).completeExceptionally(new IOException("reset"));
      assertEquals(1, calls.get(), "no retry after cancel");
      assertTrue(tries.get(0).isDone());
    }
  }

  @Test
  void aTimedOutTryIsCancelledAndItsRetryRunsOffTheJdkDelayerThread() {
    try (LoadBalancer<String> lb = LoadBalancer.builder(group(3)).build()) {
      FailoverExecutor<String> executor = FailoverExecutor.of(lb,
          RetryPolicy.builder().perTryTimeout(Duration.ofMillis(50)).build());
      List<CompletableFuture<String>> tries = new CopyOnWriteArrayList<>();
      List<String> threads = new CopyOnWriteArrayList<>();
      CompletableFuture<String> result = executor.executeAsync(endpoint -> {
        threads.add(Thread.currentThread().getName());
        CompletableFuture<String> tried = new CompletableFuture<>();
        if (tries.isEmpty()) {
          tries.add(tried);
          return tried;
        }
        return CompletableFuture.completedFuture("second");
      });
      assertEquals("second", result.join());
      assertTrue(tries.get(0).isCancelled(), "the timed-out try was cancelled");
      assertEquals(2, threads.size());
      assertFalse(threads.get(1).contains("CompletableFutureDelayScheduler"), threads.get(1));
      Await.until("no call in flight", Duration.ofSeconds(5), () -> lb.status().stream()
          .allMatch(s -> s.inFlight() == 0));
    }
  }

  @Test
  void anEmptiedPoolBetweenTriesFailsWithTheCallsOwnFailure() {
    EndpointGroup<String> group = group(2);
    try (LoadBalancer<String> lb = LoadBalancer.builder(group).panicThreshold(0).build()) {
      FailoverExecutor<String> executor = FailoverExecutor.of(lb, RetryPolicy.ofDefaults());
      FailoverException failure = assertThrows(FailoverException.class,
          () -> executor.execute((endpoint, timeout) -> {
            group.replaceAll(List.of());
            throw new IOException("reset by " + endpoint.id());
          }));
      assertInstanceOf(IOException.class, failure.getCause());
      assertEquals(1, failure.attempts());
    }
  }

  @Test
  void onceTheEjectionCapIsReachedAFailingCallTakesNoLock() throws Exception {
    CountDownLatch building = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean block = new AtomicBoolean();
    Strategy roundRobin = Strategies.roundRobin();
    Strategy slowToBuild = (candidates, previous) -> {
      if (block.get()) {
        building.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return roundRobin.selector(candidates, previous);
    };
    EndpointGroup<String> group = group(4);
    OutlierDetection detection = OutlierDetection.builder().consecutiveFailures(1)
        .maxEjectionPercent(25).build();
    try (LoadBalancer<String> lb = LoadBalancer.builder(group).strategy(slowToBuild)
        .outlierDetection(detection).refreshInterval(Duration.ZERO).build()) {
      lb.callStarted(Endpoint.of("e0"));
      lb.callFinished(Endpoint.of("e0"), false);
      assertTrue(lb.status().get(0).ejected(), "the cap of one is reached");
      block.set(true);
      Thread rebuild = new Thread(() -> group.update(Endpoint.of("e3", 2)));
      rebuild.start();
      assertTrue(building.await(5, TimeUnit.SECONDS), "a rebuild holds the balancer's lock");
      Thread failing = new Thread(() -> {
        for (int i = 0; i < 100; i++) {
          lb.callStarted(Endpoint.of("e1"));
          lb.callFinished(Endpoint.of("e1"), false);
        }
      });
      failing.start();
      failing.join(5_000);
      boolean returned = !failing.isAlive();
      release.countDown();
      rebuild.join(5_000);
      assertTrue(returned, "failing calls past the cap did not wait for the lock");
    }
  }

  @Test
  void theRetryBudgetRefillsAtItsRateWhateverTheWithdrawalRate() {
    RetryPolicy policy = RetryPolicy.builder().budgetRatio(0).minRetriesPerSecond(10).build();
    RetryBudget budget = new RetryBudget(policy, now::get);
    while (budget.tryWithdraw()) {
      // spend the initial balance
    }
    int withdrawn = 0;
    for (long elapsed = 0; elapsed < 1_000_000_000L; elapsed += 150_000) {
      now.addAndGet(150_000);
      withdrawn += budget.tryWithdraw() ? 1 : 0;
    }
    assertTrue(withdrawn >= 9 && withdrawn <= 10, "10 per second, withdrew " + withdrawn);
  }

  @Test
  void theRetryBudgetRefillsAtTheHighestRateTheSettingsAccept() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    RetryPolicy policy = RetryPolicy.builder().budgetRatio(0).minRetriesPerSecond(1_000_000)
        .budgetWindow(Duration.ofSeconds(10)).build();
    RetryBudget budget = new RetryBudget(policy, now::get);
    while (budget.tryWithdraw()) {
      // spends the first second's tokens
    }
    assertEquals(0, budget.tokens());
    now.addAndGet(1_000_000L);
    assertTrue(budget.tryWithdraw());
    assertEquals(999, budget.tokens(), "1 ms at 1,000,000 per second earns 1,000 tokens");
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    assertTrue(budget.tryWithdraw());
    assertEquals(9_999_999, budget.tokens(), "10 s idle fill the 10 s window's 10,000,000");
    now.addAndGet(Duration.ofDays(3).toNanos());
    assertTrue(budget.tryWithdraw());
    assertEquals(9_999_999, budget.tokens(), "days idle leave the bucket full, no more");
  }
}
