package io.scaleblocks.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.queue.internal.QueueCounters;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Group commit: who waits for which force. */
class SyncerTest {

  private final AtomicLong written = new AtomicLong();
  /** One permit per force allowed to finish. */
  private final Semaphore finishes = new Semaphore(0);
  private final Semaphore entered = new Semaphore(0);
  private volatile IOException failNext;
  private final Syncer syncer = new Syncer("test log", 0, written::get, () -> {
    entered.release();
    finishes.acquireUninterruptibly();
    IOException failure = failNext;
    failNext = null;
    if (failure != null) {
      throw failure;
    }
  }, new QueueCounters(), true);

  @AfterEach
  void releaseForces() {
    finishes.release(100);
  }

  private CompletableFuture<Void> syncOnNewThread(long sequence, String name) throws InterruptedException {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        syncer.sync(sequence, true);
        done.complete(null);
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    }, name);
    t.start();
    // parked: waiting for the force in progress, not yet past it
    while (t.getState() != Thread.State.WAITING && !done.isDone()) {
      Thread.onSpinWait();
    }
    return done;
  }

  /** A sync of sequence 1 with {@code writtenSoFar} written, whose force has started and is held. */
  private CompletableFuture<Void> leaderHoldingItsForce(long writtenSoFar) throws InterruptedException {
    written.set(writtenSoFar);
    CompletableFuture<Void> leader = syncOnNewThread(1, "leader");
    assertTrue(entered.tryAcquire(10, TimeUnit.SECONDS), "the leader's force started");
    return leader;
  }

  @Test
  void aWaiterThatTheFinishedForceCoveredReturnsWhileTheNextForceRuns() throws Exception {
    CompletableFuture<Void> leader = leaderHoldingItsForce(2);
    written.set(3);
    // the next leader queues first, the covered waiter after it
    CompletableFuture<Void> nextLeader = syncOnNewThread(3, "next leader");
    CompletableFuture<Void> covered = syncOnNewThread(2, "covered");
    finishes.release();  // the first force (up to 2) ends
    leader.get(10, TimeUnit.SECONDS);
    assertTrue(entered.tryAcquire(10, TimeUnit.SECONDS), "the next leader's force started");
    assertNull(covered.get(10, TimeUnit.SECONDS),
        "covered by the first force, it does not wait for the second");
    assertTrue(!nextLeader.isDone(), "the second force is still held");
    finishes.release();
    nextLeader.get(10, TimeUnit.SECONDS);
    assertEquals(3, syncer.durable());
  }

  @Test
  void sixteenWaitersShareOneForce() throws Exception {
    CompletableFuture<Void> leader = leaderHoldingItsForce(1);
    written.set(17);
    CompletableFuture<?>[] waiters = new CompletableFuture<?>[16];
    for (int i = 0; i < 16; i++) {
      waiters[i] = syncOnNewThread(2 + i, "waiter " + i);
    }
    finishes.release(2);  // the first force, then one more for all sixteen
    leader.get(10, TimeUnit.SECONDS);
    CompletableFuture.allOf(waiters).get(10, TimeUnit.SECONDS);
    assertEquals(17, syncer.durable());
    assertEquals(1, entered.availablePermits(), "one force after the first covered all sixteen");
  }

  @Test
  void aWaiterOfAForceThatFailedIsRefusedAndNothingMoreIsReportedDurable() throws Exception {
    failNext = new IOException("EIO");
    CompletableFuture<Void> leader = leaderHoldingItsForce(1);
    written.set(2);
    CompletableFuture<Void> waiter = syncOnNewThread(2, "waiter");
    finishes.release();
    for (CompletableFuture<Void> f : java.util.List.of(leader, waiter)) {
      Throwable e = f.handle((v, t) -> t).get(10, TimeUnit.SECONDS);
      assertInstanceOf(Syncer.ForceFailed.class, e);
      assertTrue(e.getMessage().contains("EIO"), e.getMessage());
    }
    assertEquals(0, syncer.durable());
  }

  @Test
  void anExclusiveActionWaitsForTheForceInProgressAndNoForceStartsDuringIt() throws Exception {
    CompletableFuture<Void> leader = leaderHoldingItsForce(1);
    CountDownLatch actionRunning = new CountDownLatch(1);
    CountDownLatch actionMayEnd = new CountDownLatch(1);
    AtomicLong forcesSeenByAction = new AtomicLong(-1);
    Thread swapper = new Thread(() -> syncer.exclusive(() -> {
      forcesSeenByAction.set(entered.availablePermits());
      actionRunning.countDown();
      try {
        actionMayEnd.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    swapper.start();
    assertTrue(!actionRunning.await(200, TimeUnit.MILLISECONDS), "waits for the force in progress");
    finishes.release();
    leader.get(10, TimeUnit.SECONDS);
    assertTrue(actionRunning.await(10, TimeUnit.SECONDS));
    written.set(2);
    CompletableFuture<Void> blocked = syncOnNewThread(2, "during the swap");
    assertTrue(!entered.tryAcquire(200, TimeUnit.MILLISECONDS), "no force starts during the action");
    actionMayEnd.countDown();
    swapper.join();
    assertTrue(entered.tryAcquire(10, TimeUnit.SECONDS));
    finishes.release();
    blocked.get(10, TimeUnit.SECONDS);
    assertEquals(0, forcesSeenByAction.get());
  }
}
