package io.scaleblocks.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Asynchronous publishes on the file log: the flush thread, its forces, its failures, its bound. */
class AsyncPublishTest {

  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();
  private final FailingFileIo disk = new FailingFileIo(Long.MAX_VALUE);

  private QueueConfig.Builder config() {
    return QueueConfig.builder().clock(clock).segmentBytes(1 << 20).maxMessageBytes(4096)
        .durability(Durability.GROUP_COMMIT);
  }

  private SegmentedLogQueue open(QueueConfig config) {
    return SegmentedLogQueue.open(dir, config, disk);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void manyProducersWithPublishesInFlightShareFsyncs() throws Exception {
    try (SegmentedLogQueue q = open(config().build())) {
      Thread[] threads = new Thread[8];
      for (int i = 0; i < threads.length; i++) {
        threads[i] = new Thread(() -> {
          ArrayDeque<CompletableFuture<String>> inFlight = new ArrayDeque<>();
          for (int j = 0; j < 500; j++) {
            inFlight.add(q.publishAsync("t", new byte[100]));
            if (inFlight.size() == 64) {
              inFlight.poll().join();
            }
          }
          inFlight.forEach(CompletableFuture::join);
        });
        threads[i].start();
      }
      for (Thread t : threads) {
        t.join();
      }
      QueueStats s = q.stats();
      assertEquals(4000, s.published());
      assertEquals(4000, s.fsyncRecords(), "every record was covered by an fsync");
      assertTrue(s.fsyncs() * 4 < 4000, "an fsync covers many publishes: " + s.fsyncs());
    }
  }

  @Test
  void aFutureCompletesOnlyAfterTheForceThatCoversItReturned() throws Exception {
    try (SegmentedLogQueue q = open(config().build())) {
      disk.holdForces();
      AtomicBoolean forcedFirst = new AtomicBoolean();
      CompletableFuture<String> f = q.publishAsync("t", bytes("x"));
      CompletableFuture<Void> checked = f.thenRun(() -> forcedFirst.set(disk.forcesReturned.get() > 0));
      assertTrue(disk.forceEntered.await(10, TimeUnit.SECONDS), "the flush thread forces at once");
      assertFalse(f.isDone(), "not complete while its force runs");
      assertTrue(q.poll("t", "g", "c", 1, Duration.ZERO).isEmpty(), "not visible before durable");
      disk.releaseForces();
      assertEquals("0", f.get(10, TimeUnit.SECONDS));
      checked.get(10, TimeUnit.SECONDS);
      assertTrue(forcedFirst.get(), "completed after the force returned");
      assertEquals(1, q.poll("t", "g", "c", 1, Duration.ZERO).size());
    }
  }

  @Test
  void aFailedForceFailsEveryFutureItCoveredAndTheTopicTakesNoMoreUntilReopened()
      throws Exception {
    int written;
    try (SegmentedLogQueue q = open(config().build())) {
      disk.failForces = true;
      List<CompletableFuture<String>> failed = new ArrayList<>();
      int refusedAtOnce = 0;
      for (int i = 0; i < 50; i++) {
        try {
          failed.add(q.publishAsync("t", bytes("lost" + i)));
        } catch (QueueException e) {
          // the flush thread's force failed already: the topic writes nothing more
          assertTrue(e.getMessage().contains("reopened"), e.getMessage());
          refusedAtOnce++;
        }
      }
      assertEquals(50, failed.size() + refusedAtOnce);
      written = failed.size();
      assertFalse(failed.isEmpty(), "the first publish is written before any force runs");
      for (CompletableFuture<String> f : failed) {
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> f.get(10, TimeUnit.SECONDS));
        assertInstanceOf(QueueException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("fsync")
            && e.getCause().getMessage().contains("Input/output error"), e.getCause().getMessage());
      }
      assertEquals(0, q.stats().published(), "nothing counted as published");
      // The disk answers again, but a later fsync that succeeds says nothing of the pages the
      // failed one could not write: the topic refuses until it is reopened.
      disk.failForces = false;
      QueueException refused = assertThrows(QueueException.class, () -> {
        try {
          q.publishAsync("t", bytes("after")).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          throw e.getCause();
        }
      });
      assertTrue(refused.getMessage().contains("reopened"), refused.getMessage());
      QueueException refusedSync = assertThrows(QueueException.class,
          () -> q.publish("t", bytes("after")));
      assertTrue(refusedSync.getMessage().contains("reopened"), refusedSync.getMessage());
    }
    try (SegmentedLogQueue q = open(config().build())) {
      String id = q.publishAsync("t", bytes("kept")).get(10, TimeUnit.SECONDS);
      assertEquals(String.valueOf(written), id, "reopened: the records that reached the file were"
          + " recovered, and nothing was appended after the failure");
    }
  }

  @Test
  void pastTheInFlightBoundAnAsyncPublishFailsAtOnceOrBlocksUpToThePublishTimeout()
      throws Exception {
    QueueConfig fail = config().maxInFlightPublishes(4).backPressure(BackPressure.FAIL).build();
    try (SegmentedLogQueue q = open(fail)) {
      disk.holdForces();
      List<CompletableFuture<String>> held = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        held.add(q.publishAsync("t", bytes("m" + i)));
      }
      QueueFullException e = assertThrows(QueueFullException.class,
          () -> q.publishAsync("t", bytes("m4")));
      assertTrue(e.getMessage().contains("max-in-flight-publishes"), e.getMessage());
      disk.releaseForces();
      for (CompletableFuture<String> f : held) {
        f.get(10, TimeUnit.SECONDS);
      }
      assertEquals("4", q.publishAsync("t", bytes("m4")).get(10, TimeUnit.SECONDS),
          "room again once they are durable; the refused publish wrote nothing");
    }
  }

  @Test
  void aBlockedAsyncPublishTimesOutWhileNothingBecomesDurable() throws Exception {
    QueueConfig block = config().maxInFlightPublishes(2).backPressure(BackPressure.BLOCK)
        .publishTimeout(Duration.ofMillis(200)).build();
    try (SegmentedLogQueue q = open(block)) {
      disk.holdForces();
      CompletableFuture<List<String>> held = q.publishAllAsync("t", List.of(bytes("a"), bytes("b")));
      long start = System.nanoTime();
      assertThrows(QueueFullException.class, () -> q.publishAsync("t", bytes("c")));
      assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(150), "it waited");
      disk.releaseForces();
      assertEquals(List.of("0", "1"), held.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void closeForcesWhatIsPendingAndEveryCompletedPublishIsThereAfterReopening() throws Exception {
    Map<String, String> completed = new HashMap<>();
    List<CompletableFuture<String>> futures = new ArrayList<>();
    try (SegmentedLogQueue q = open(config().build())) {
      for (int i = 0; i < 2000; i++) {
        futures.add(q.publishAsync("t", bytes("m" + i)));
      }
    }
    for (int i = 0; i < futures.size(); i++) {
      CompletableFuture<String> f = futures.get(i);
      assertTrue(f.isDone(), "close left no future pending");
      if (!f.isCompletedExceptionally()) {
        completed.put(f.join(), "m" + i);
      }
    }
    assertEquals(2000, completed.size(), "close forced what was pending");
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, config().build())) {
      List<Message> got;
      Map<String, String> delivered = new HashMap<>();
      while (!(got = q.poll("t", "g", "c", 500, Duration.ZERO)).isEmpty()) {
        got.forEach(m -> delivered.put(m.id(), new String(m.payload(), UTF_8)));
        q.ackAll(got);
      }
      assertEquals(completed, delivered);
    }
  }

  @Test
  void underIntervalAndNoneAnAsyncPublishIsCompleteOnReturnAsAPublishWouldHaveReturned() {
    for (Durability d : List.of(Durability.INTERVAL, Durability.NONE)) {
      try (SegmentedLogQueue q = SegmentedLogQueue.open(dir.resolve(d.name()),
          config().durability(d).build())) {
        CompletableFuture<String> f = q.publishAsync("t", bytes("x"));
        assertTrue(f.isDone() && !f.isCompletedExceptionally(), d.toString());
      }
    }
  }

  @Test
  void anAsyncPublishWaitingForInFlightRoomWhenTheQueueClosesWritesNothingAfterClose()
      throws Exception {
    QueueConfig block = config().maxInFlightPublishes(1).backPressure(BackPressure.BLOCK)
        .publishTimeout(Duration.ofSeconds(30)).build();
    SegmentedLogQueue q = open(block);
    disk.holdForces();
    CompletableFuture<String> held = q.publishAsync("t", bytes("held"));
    assertTrue(disk.forceEntered.await(10, TimeUnit.SECONDS));
    CompletableFuture<Object> waiter = new CompletableFuture<>();
    Thread producer = new Thread(() -> {
      try {
        waiter.complete(q.publishAsync("t", bytes("late")));
      } catch (Throwable e) {
        waiter.complete(e);
      }
    });
    producer.start();
    while (producer.getState() != Thread.State.TIMED_WAITING) {
      assertTrue(producer.isAlive(), "the producer waits for in-flight room");
      Thread.onSpinWait();
    }
    Thread closer = new Thread(q::close);
    closer.start();
    // close has marked the queue closed and waits for the held flush: only then is the room freed
    while (closer.getState() != Thread.State.WAITING
        && closer.getState() != Thread.State.TIMED_WAITING) {
      assertTrue(closer.isAlive(), "close waits for the held flush");
      Thread.onSpinWait();
    }
    disk.releaseForces();
    closer.join(TimeUnit.SECONDS.toMillis(30));
    assertFalse(closer.isAlive(), "close returned");
    assertEquals("0", held.get(10, TimeUnit.SECONDS), "close forced the pending publish");
    Object outcome = waiter.get(30, TimeUnit.SECONDS);
    if (outcome instanceof CompletableFuture<?> f) {
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS),
          "a publish that got in after close is not reported durable");
      assertInstanceOf(QueueException.class, e.getCause());
    } else {
      assertInstanceOf(IllegalStateException.class, outcome, "refused: the queue is closed");
    }
    try (SegmentedLogQueue reopened = SegmentedLogQueue.open(dir, config().build())) {
      assertEquals(List.of("held"), reopened.poll("t", "g", "c", 10, Duration.ZERO).stream()
          .map(m -> new String(m.payload(), UTF_8)).toList(), "nothing was written after close");
    }
  }

  @Test
  void aMessageWhoseForceFailedIsNeverDeliveredBeforeTheQueueIsReopenedAndThenIfItReachedTheFile()
      throws Exception {
    try (SegmentedLogQueue q = open(config().build())) {
      disk.failForces = true;
      CompletableFuture<String> failed = q.publishAsync("t", bytes("failed"));
      assertThrows(ExecutionException.class, () -> failed.get(10, TimeUnit.SECONDS));
      assertTrue(q.poll("t", "g", "c", 10, Duration.ZERO).isEmpty(), "not visible: not durable");
      disk.failForces = false;
      assertThrows(QueueException.class, () -> q.publish("t", bytes("refused")));
      assertTrue(q.poll("t", "g", "c", 10, Duration.ZERO).isEmpty(),
          "a later fsync that succeeds does not make the failed one's record durable");
    }
    try (SegmentedLogQueue q = open(config().build())) {
      assertEquals("1", q.publishAsync("t", bytes("kept")).get(10, TimeUnit.SECONDS));
      assertEquals(List.of("failed", "kept"), q.poll("t", "g", "c", 10, Duration.ZERO).stream()
          .map(m -> new String(m.payload(), UTF_8)).toList(),
          "recovery keeps a record that reached the file although its publish failed (README)");
    }
  }
}
