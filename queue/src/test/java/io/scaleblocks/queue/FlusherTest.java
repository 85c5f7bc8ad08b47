package io.scaleblocks.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.queue.internal.QueueCounters;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The flush thread against a {@link Syncer} whose forces the test scripts. */
class FlusherTest {

  @Test
  void aFutureTheFailedForceCoveredFailsEvenIfAnotherForceSucceedsBeforeTheFlusherLooks()
      throws Exception {
    AtomicReference<Syncer> syncer = new AtomicReference<>();
    long[] written = {0};
    boolean[] failed = {false};
    Syncer s = new Syncer("test log", 0, () -> written[0], () -> {
      if (!failed[0]) {
        failed[0] = true;
        // a synchronous publisher's force succeeds right after this one fails, before the
        // flush thread reads how far the log is durable
        syncer.get().markDurable(written[0]);
        throw new IOException("Input/output error (injected)");
      }
    }, new QueueCounters(), true);
    syncer.set(s);
    Flusher flusher = new Flusher("test-flush", s);
    try {
      written[0] = 1;
      CompletableFuture<Void> f = flusher.register(1);
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> f.get(10, TimeUnit.SECONDS), "the force that covered it failed");
      assertInstanceOf(QueueException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("Input/output error"),
          e.getCause().getMessage());
    } finally {
      flusher.close();
    }
  }

  @Test
  void aRegistrationAlreadyDurableCompletesAfterEveryEarlierOne() throws Exception {
    AtomicReference<Syncer> syncer = new AtomicReference<>();
    AtomicReference<Flusher> flusher = new AtomicReference<>();
    AtomicReference<CompletableFuture<Void>> later = new AtomicReference<>();
    List<Integer> order = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch attached = new CountDownLatch(1);
    long[] written = {1};
    Syncer s = new Syncer("test log", 0, () -> written[0], () -> {
      if (later.get() == null) {
        try {
          attached.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        // a producer whose append a force covered registers before the flush thread has
        // completed the registration in front of it
        written[0] = 2;
        syncer.get().markDurable(2);
        CompletableFuture<Void> f2 = flusher.get().register(2);
        f2.thenRun(() -> order.add(2));
        later.set(f2);
      }
    }, new QueueCounters(), true);
    syncer.set(s);
    Flusher f = new Flusher("test-flush", s);
    flusher.set(f);
    try {
      CompletableFuture<Void> first = f.register(1);
      first.thenRun(() -> order.add(1));
      attached.countDown();
      first.get(10, TimeUnit.SECONDS);
      while (later.get() == null) {
        Thread.onSpinWait();
      }
      later.get().get(10, TimeUnit.SECONDS);
      assertEquals(List.of(1, 2), order, "futures complete in registration (publish) order");
    } finally {
      f.close();
    }
  }
}
