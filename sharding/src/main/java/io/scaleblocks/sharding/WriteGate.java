package io.scaleblocks.sharding;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The gate {@link ShardRouter#write} passes: many writes at once, or one pause that waits for the
 * writes in progress and holds new ones. Unlike a read-write lock it has no owner, so a pause may
 * be closed on any thread, and a write inside a write on one thread passes a pause that is waiting
 * (it could never finish otherwise). Thread-safe; waits on a {@link ReentrantLock} condition, never
 * under {@code synchronized}.
 */
final class WriteGate {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
  private int writes;
  private boolean paused;

  /**
   * Lets a write in, waiting while the gate is paused (unless this thread is inside a write).
   *
   * @throws IllegalStateException if interrupted while waiting (the interrupt stays set)
   */
  void enter(String name) {
    int[] mine = depth.get();
    lock.lock();
    try {
      while (paused && mine[0] == 0) {
        try {
          changed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(name + " - interrupted while writes are paused", e);
        }
      }
      writes++;
      mine[0]++;
    } finally {
      lock.unlock();
    }
  }

  void exit() {
    int[] mine = depth.get();
    lock.lock();
    try {
      mine[0]--;
      if (--writes == 0) {
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (mine[0] == 0) {
      depth.remove();
    }
  }

  /**
   * Holds new writes at once and waits up to {@code timeoutNanos} for those in progress; true if
   * they finished (the gate stays paused until {@link #resume}), false if not (it resumed). An
   * interrupt undoes only this call's own pause, never one another caller holds.
   */
  boolean pause(long timeoutNanos) throws InterruptedException {
    lock.lock();
    boolean mine = false;
    try {
      while (paused) {
        // Another pause holds the gate: wait for it, within the same timeout.
        if (timeoutNanos <= 0) {
          return false;
        }
        timeoutNanos = changed.awaitNanos(timeoutNanos);
      }
      paused = true;
      mine = true;
      while (writes > 0) {
        if (timeoutNanos <= 0) {
          paused = false;
          changed.signalAll();
          return false;
        }
        timeoutNanos = changed.awaitNanos(timeoutNanos);
      }
      return true;
    } catch (InterruptedException e) {
      // Only a pause this call set is undone: one interrupted while waiting for another pause
      // leaves that pause holding writes.
      if (mine) {
        paused = false;
        changed.signalAll();
      }
      throw e;
    } finally {
      lock.unlock();
    }
  }

  void resume() {
    lock.lock();
    try {
      paused = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
