package io.scaleblocks.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkerTest {

  private final MessageQueue queue = MessageQueues.inMemory(QueueConfig.builder()
      .maxDeliveries(3).visibilityTimeout(Duration.ofSeconds(30)).build());

  private static void await(String what, java.util.function.BooleanSupplier done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(5);
    }
  }

  @Test
  void aHandlerThatReturnsAcksAndOneThatThrowsIsRetriedWithBackoffThenDeadLettered()
      throws Exception {
    queue.poll("jobs", "w", "c", 1, Duration.ZERO);
    for (int i = 0; i < 20; i++) {
      queue.publish("jobs", ("job" + i).getBytes(UTF_8));
    }
    queue.publish("jobs", "poison".getBytes(UTF_8));
    AtomicInteger poisonAttempts = new AtomicInteger();
    Worker worker = Worker.builder(queue, "jobs", "w").concurrency(4)
        .backoff(Duration.ofMillis(5), Duration.ofMillis(20))
        .handler(m -> {
          if (new String(m.payload(), UTF_8).equals("poison")) {
            poisonAttempts.incrementAndGet();
            throw new IllegalStateException("cannot parse poison");
          }
        }).start();
    try {
      await("the poison message in the dead-letter topic", () -> queue.stats().deadLettered() == 1);
      assertEquals(0, queue.lag("jobs", "w"));
      assertEquals(20, queue.stats().acked());
      assertEquals(3, poisonAttempts.get());
      Message dead = queue.poll("jobs.dlq", "ops", "c", 1, Duration.ofSeconds(1)).get(0);
      assertTrue(dead.deadLetter().orElseThrow().reason().contains("cannot parse poison"),
          dead.deadLetter().orElseThrow().reason());
    } finally {
      assertTrue(worker.shutdown(Duration.ofSeconds(5)));
    }
  }

  @Test
  void aHandlerThatThrowsAnErrorIsNackedAndNoLongerCountedInFlight() throws Exception {
    queue.poll("jobs", "w", "c", 1, Duration.ZERO);
    queue.publish("jobs", "x".getBytes(UTF_8));
    AtomicInteger attempts = new AtomicInteger();
    Worker worker = Worker.builder(queue, "jobs", "w")
        .backoff(Duration.ofMillis(5), Duration.ofMillis(20))
        .handler(m -> {
          if (attempts.incrementAndGet() == 1) {
            throw new AssertionError("handler bug");
          }
        }).start();
    try {
      await("the message redelivered and acked", () -> queue.stats().acked() == 1);
      assertEquals(2, attempts.get());
      await("nothing in flight", () -> worker.inFlight() == 0);
      assertEquals(0, queue.lag("jobs", "w"));
    } finally {
      assertTrue(worker.shutdown(Duration.ofSeconds(5)));
    }
  }

  @Test
  void theBackoffDoublesPerDeliveryUpToItsMaximum() {
    Worker w = Worker.builder(queue, "jobs", "w").backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
        .handler(m -> { }).start();
    try {
      assertEquals(Duration.ofMillis(100), w.backoff(1));
      assertEquals(Duration.ofMillis(400), w.backoff(3));
      assertEquals(Duration.ofSeconds(1), w.backoff(30));
    } finally {
      w.shutdown(Duration.ofSeconds(1));
    }
  }

  @Test
  void noMoreHandlersRunAtOnceThanTheConcurrencyLimit() throws Exception {
    AtomicInteger now = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    for (int i = 0; i < 40; i++) {
      queue.publish("jobs", new byte[] {(byte) i});
    }
    Worker worker = Worker.builder(queue, "jobs", "w").concurrency(3).handler(m -> {
      peak.accumulateAndGet(now.incrementAndGet(), Math::max);
      Thread.sleep(5);
      now.decrementAndGet();
      done.incrementAndGet();
    }).start();
    try {
      await("every job", () -> done.get() == 40);
      assertEquals(3, peak.get());
    } finally {
      worker.shutdown(Duration.ofSeconds(5));
    }
  }

  @Test
  void handlersRunOnTheExecutorGiven() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2, r -> new Thread(r, "user-pool"));
    Set<String> threads = ConcurrentHashMap.newKeySet();
    queue.publish("jobs", new byte[1]);
    Worker worker = Worker.builder(queue, "jobs", "w").executor(pool)
        .handler(m -> threads.add(Thread.currentThread().getName())).start();
    try {
      await("the job", () -> queue.stats().acked() == 1);
      assertEquals(Set.of("user-pool"), threads);
    } finally {
      worker.shutdown(Duration.ofSeconds(5));
      pool.shutdown();
    }
  }

  @Test
  void shutdownLetsRunningHandlersFinishWithinTheDeadline() throws Exception {
    queue.publish("jobs", new byte[1]);
    CountDownLatch started = new CountDownLatch(1);
    Worker worker = Worker.builder(queue, "jobs", "w").handler(m -> {
      started.countDown();
      Thread.sleep(200);
    }).start();
    assertTrue(started.await(10, TimeUnit.SECONDS));
    assertTrue(worker.shutdown(Duration.ofSeconds(5)), "finished in time");
    assertEquals(1, queue.stats().acked());
    assertEquals(0, queue.lag("jobs", "w"));
  }

  @Test
  void shutdownGivesBackAMessageWhoseHandlerOverrunsTheDeadline() throws Exception {
    queue.publish("jobs", new byte[1]);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch returned = new CountDownLatch(1);
    Worker worker = Worker.builder(queue, "jobs", "w").handler(m -> {
      started.countDown();
      while (true) {
        try {
          release.await();
          break;
        } catch (InterruptedException e) {
          // the worker's own pool is shut down (interrupting) after the deadline: keep overrunning
        }
      }
      returned.countDown();
    }).start();
    assertTrue(started.await(10, TimeUnit.SECONDS));
    assertFalse(worker.shutdown(Duration.ofMillis(100)), "one handler was still running");
    List<Message> back = queue.poll("jobs", "w", "other", 1, Duration.ofSeconds(1));
    assertEquals(1, back.size(), "given back at once, not after the visibility timeout");
    assertEquals(2, back.get(0).deliveryCount());
    release.countDown();
    assertTrue(returned.await(10, TimeUnit.SECONDS));
    Thread.sleep(50);
    assertEquals(0, queue.stats().acked(), "the late handler does not acknowledge");
    assertEquals(1, queue.lag("jobs", "w"));
  }

  @Test
  void aHandlerStillQueuedOnTheCallersExecutorWhenShutdownGaveItsMessageBackNeverRuns() throws Exception {
    queue.poll("jobs", "w", "c", 1, Duration.ZERO);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    CountDownLatch release = new CountDownLatch(1);
    pool.execute(() -> {
      try {
        release.await(); // the caller's pool is busy with work of its own
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    queue.publish("jobs", "job".getBytes(UTF_8));
    AtomicInteger handled = new AtomicInteger();
    Worker worker = Worker.builder(queue, "jobs", "w").executor(pool)
        .handler(m -> handled.incrementAndGet()).start();
    try {
      await("the message leased", () -> worker.inFlight() == 1);
      assertFalse(worker.shutdown(Duration.ofMillis(50)));
      release.countDown();
      pool.shutdown();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
      assertEquals(0, handled.get(), "a message the worker gave back was handled after shutdown returned");
      assertEquals(1, queue.poll("jobs", "w", "c", 1, Duration.ofSeconds(1)).size());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aWorkerOfAGroupWithTheLongestNameHandlesItsMessages() throws Exception {
    String group = "g".repeat(100);
    queue.poll("jobs", group, "c", 1, Duration.ZERO);
    queue.publish("jobs", "job".getBytes(UTF_8));
    Set<String> handled = ConcurrentHashMap.newKeySet();
    Worker worker = Worker.builder(queue, "jobs", group)
        .handler(m -> handled.add(new String(m.payload(), UTF_8))).start();
    try {
      await("the message handled", () -> handled.contains("job"));
      await("the message acknowledged", () -> queue.stats().acked() == 1);
    } finally {
      assertTrue(worker.shutdown(Duration.ofSeconds(5)));
    }
  }

  @Test
  void badSettingsAreRefusedWithTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Worker.builder(queue, "jobs", "w").concurrency(0));
    assertEquals("concurrency must be between 1 and 10000 but was 0", e.getMessage());
    assertThrows(NullPointerException.class, () -> Worker.builder(queue, "jobs", "w").start());
  }
}
