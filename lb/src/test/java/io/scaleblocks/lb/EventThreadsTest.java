package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Removal events and retries after a per-try timeout run on threads of the library's own, so
 * neither a listener that blocks nor a saturated common fork-join pool holds them up.
 */
class EventThreadsTest {

  /** Released at the end of each test: every common-pool thread blocks on it meanwhile. */
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void saturateTheCommonPool() throws InterruptedException {
    int threads = ForkJoinPool.getCommonPoolParallelism();
    CountDownLatch started = new CountDownLatch(threads);
    for (int i = 0; i < threads * 2; i++) {
      ForkJoinPool.commonPool().execute(() -> {
        started.countDown();
        awaitQuietly(release);
      });
    }
    assertTrue(started.await(10, TimeUnit.SECONDS), "every common-pool thread is busy");
  }

  @AfterEach
  void releaseTheCommonPool() {
    release.countDown();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static EndpointGroup<String> group(String... addresses) {
    EndpointGroup<String> group = EndpointGroup.of();
    for (String address : addresses) {
      group.add(Endpoint.of(address));
    }
    return group;
  }

  @Test
  void aBlockingListenerAndABusyCommonPoolDelayNoOtherBalancersRemovalEvents() throws Exception {
    EndpointGroup<String> slowGroup = group("a", "b");
    EndpointGroup<String> fastGroup = group("c", "d");
    CountDownLatch slowListenerCalled = new CountDownLatch(1);
    BlockingQueue<String> removed = new LinkedBlockingQueue<>();
    try (LoadBalancer<String> slow = LoadBalancer.builder(slowGroup).name("slow").build();
        LoadBalancer<String> fast = LoadBalancer.builder(fastGroup).name("fast").build()) {
      slow.addListener(new LoadBalancerListener<>() {
        @Override
        public void onEndpointRemoved(Endpoint<String> endpoint) {
          slowListenerCalled.countDown();
          awaitQuietly(release);
        }
      });
      fast.addListener(new LoadBalancerListener<>() {
        @Override
        public void onEndpointRemoved(Endpoint<String> endpoint) {
          removed.add(endpoint.address() + " on " + Thread.currentThread().getName());
        }
      });
      slowGroup.remove("a");
      assertTrue(slowListenerCalled.await(5, TimeUnit.SECONDS), "the slow balancer's listener runs and blocks");
      fastGroup.remove("c");
      String event = removed.poll(5, TimeUnit.SECONDS);
      assertNotNull(event, "the other balancer's event arrived while a listener and the common pool were blocked");
      assertEquals("c on scaleblocks-lb-fast-events", event);
    }
  }

  @Test
  void removalEventsArriveInTheOrderOfTheRemovals() throws Exception {
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      addresses.add("e" + i);
    }
    EndpointGroup<String> group = group(addresses.toArray(new String[0]));
    List<String> removed = new CopyOnWriteArrayList<>();
    CountDownLatch all = new CountDownLatch(addresses.size());
    try (LoadBalancer<String> lb = LoadBalancer.builder(group).name("ordered").build()) {
      lb.addListener(new LoadBalancerListener<>() {
        @Override
        public void onEndpointRemoved(Endpoint<String> endpoint) {
          removed.add(endpoint.address());
          all.countDown();
        }
      });
      for (String address : addresses) {
        group.remove(address);
      }
      assertTrue(all.await(10, TimeUnit.SECONDS), "every removal reported: " + removed);
      assertEquals(addresses, removed);
    }
  }

  @Test
  void closeEndsTheEventThread() throws Exception {
    EndpointGroup<String> group = group("a", "b");
    CountDownLatch delivered = new CountDownLatch(1);
    LoadBalancer<String> lb = LoadBalancer.builder(group).name("closing").build();
    lb.addListener(new LoadBalancerListener<>() {
      @Override
      public void onEndpointRemoved(Endpoint<String> endpoint) {
        delivered.countDown();
      }
    });
    group.remove("a");
    assertTrue(delivered.await(5, TimeUnit.SECONDS));
    Thread eventThread = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("scaleblocks-lb-closing-events")).findFirst().orElseThrow();
    lb.close();
    eventThread.join(5_000);
    assertFalse(eventThread.isAlive(), "the event thread ended with close()");
  }

  @Test
  void anExecutorPassedInTheBuilderDeliversTheRemovalEvents() throws Exception {
    ExecutorService mine = Executors.newSingleThreadExecutor(r -> new Thread(r, "mine"));
    try {
      EndpointGroup<String> group = group("a", "b");
      BlockingQueue<String> threads = new LinkedBlockingQueue<>();
      try (LoadBalancer<String> lb = LoadBalancer.builder(group).eventExecutor(mine).build()) {
        lb.addListener(new LoadBalancerListener<>() {
          @Override
          public void onEndpointRemoved(Endpoint<String> endpoint) {
            threads.add(Thread.currentThread().getName());
          }
        });
        group.remove("a");
        assertEquals("mine", threads.poll(5, TimeUnit.SECONDS));
      }
      assertFalse(mine.isShutdown(), "the user's executor is the user's to shut down");
    } finally {
      mine.shutdownNow();
    }
  }

  @Test
  void aRetryAfterAPerTryTimeoutRunsWhileTheCommonPoolIsBusy() throws Exception {
    try (LoadBalancer<String> lb = LoadBalancer.builder(group("a", "b")).build()) {
      FailoverExecutor<String> executor = FailoverExecutor.of(lb,
          RetryPolicy.builder().perTryTimeout(Duration.ofMillis(50)).build());
      AtomicInteger tries = new AtomicInteger();
      List<String> threads = new CopyOnWriteArrayList<>();
      CompletableFuture<String> result = executor.executeAsync(endpoint -> {
        threads.add(Thread.currentThread().getName());
        return tries.incrementAndGet() == 1
            ? new CompletableFuture<>() : CompletableFuture.completedFuture("retried");
      });
      assertEquals("retried", result.get(5, TimeUnit.SECONDS));
      assertTrue(threads.get(1).startsWith("scaleblocks-lb-retries-"), threads.toString());
    }
  }

  @Test
  void aRetryThatBlocksInItsCallHoldsUpNoOtherRetry() throws Exception {
    try (LoadBalancer<String> lb = LoadBalancer.builder(group("a", "b")).build()) {
      FailoverExecutor<String> executor = FailoverExecutor.of(lb,
          RetryPolicy.builder().perTryTimeout(Duration.ofMillis(50)).minRetriesPerSecond(100).build());
      AtomicInteger tries = new AtomicInteger();
      CompletableFuture<String> blocked = executor.executeAsync(endpoint -> {
        if (tries.incrementAndGet() == 1) {
          return new CompletableFuture<>();
        }
        awaitQuietly(release);
        return CompletableFuture.completedFuture("late");
      });
      AtomicInteger otherTries = new AtomicInteger();
      CompletableFuture<String> other = executor.executeAsync(endpoint ->
          otherTries.incrementAndGet() == 1
              ? new CompletableFuture<>() : CompletableFuture.completedFuture("retried"));
      assertEquals("retried", other.get(5, TimeUnit.SECONDS));
      assertFalse(blocked.isDone());
    }
  }

  @Test
  void retriesRunOnTheExecutorPassedIn() throws Exception {
    ExecutorService mine = Executors.newSingleThreadExecutor(r -> new Thread(r, "my-retries"));
    try (LoadBalancer<String> lb = LoadBalancer.builder(group("a", "b")).build()) {
      FailoverExecutor<String> executor = FailoverExecutor.of(lb,
          RetryPolicy.builder().perTryTimeout(Duration.ofMillis(50)).build(), mine);
      AtomicInteger tries = new AtomicInteger();
      List<String> threads = new CopyOnWriteArrayList<>();
      CompletableFuture<String> result = executor.executeAsync(endpoint -> {
        threads.add(Thread.currentThread().getName());
        return tries.incrementAndGet() == 1
            ? new CompletableFuture<>() : CompletableFuture.completedFuture("retried");
      });
      assertEquals("retried", result.get(5, TimeUnit.SECONDS));
      assertEquals("my-retries", threads.get(1));
    } finally {
      mine.shutdownNow();
    }
  }
}
