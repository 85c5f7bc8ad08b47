package io.scaleblocks.queue;

import io.scaleblocks.queue.internal.QueueCounters;
import java.io.IOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Group commit for one file: callers name the sequence they need durable; one of them (the
 * leader) forces the file for everything written so far while the others wait, and each waiter
 * then finds its sequence covered or leads the next force for everyone who arrived meanwhile.
 * This is the group commit of database logs (DeWitt et al., "Implementation techniques for main
 * memory database systems", SIGMOD 1984).
 *
 * <p>The force runs outside the lock: the lock only guards who leads and what is durable, so a
 * waiter that the finished force covered returns at once, even while the next leader's force
 * runs. (Holding the lock through the force made every covered waiter queue behind the next
 * force too: sixteen synchronous publishers then shared almost no fsync.)
 *
 * <p>Thread-safe. Forces never run concurrently for one file.
 */
final class Syncer {

  interface Force {
    void force() throws IOException;
  }

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when a force ends, either way. */
  private final Condition forceEnded = lock.newCondition();
  /** Whether a leader is forcing now; guarded by {@link #lock}. */
  private boolean forcing;
  private final LongSupplier written;
  private final Force force;
  private final QueueCounters counters;
  private final String what;
  private final boolean countRecords;
  private volatile long durable;
  /**
   * The first force that failed. After a failed fsync the kernel may have dropped the dirty pages
   * it could not write and marked them clean, so a later fsync that succeeds says nothing about
   * them (PostgreSQL's "fsyncgate", 2018): from then on this file reports nothing more durable and
   * takes no more writes; reopening the queue re-reads what actually reached the disk.
   */
  private volatile ForceFailed broken;

  Syncer(String what, long durable, LongSupplier written, Force force, QueueCounters counters,
      boolean countRecords) {
    this.what = what;
    this.durable = durable;
    this.written = written;
    this.force = force;
    this.counters = counters;
    this.countRecords = countRecords;
  }

  long durable() {
    return durable;
  }

  /**
   * Returns once everything up to {@code sequence} is durable; {@code share} allows an earlier
   * force to count.
   *
   * @throws ForceFailed if the force failed, naming what it was to cover
   */
  void sync(long sequence, boolean share) {
    if (share && durable >= sequence) {
      return;
    }
    refuseIfBroken(sequence);
    long upTo;
    long before;
    lock.lock();
    try {
      while (forcing) {
        forceEnded.awaitUninterruptibly();
        if (share && durable >= sequence) {
          return;
        }
      }
      if (share && durable >= sequence) {
        return;
      }
      refuseIfBroken(sequence);
      forcing = true;
      upTo = written.getAsLong();
      before = durable;
    } finally {
      lock.unlock();
    }
    long start = System.nanoTime();
    try {
      force.force();
    } catch (IOException | RuntimeException | Error e) {
      ForceFailed failed = new ForceFailed("fsync of " + what + " failed: " + e
          + "; nothing written since is reported durable until the queue is reopened", e, before, upTo);
      endForce(failed, upTo);
      if (e instanceof Error error) {
        throw error;
      }
      throw failed;
    }
    counters.fsyncs.increment();
    counters.fsyncNanos.add(System.nanoTime() - start);
    endForce(null, upTo);
  }

  /** Publishes the outcome of the leader's force and wakes the waiters. */
  private void endForce(ForceFailed failed, long upTo) {
    lock.lock();
    try {
      if (failed != null) {
        broken = failed;
      } else if (upTo > durable) {
        if (countRecords) {
          counters.fsyncRecords.add(upTo - durable);
        }
        durable = upTo;
      }
      forcing = false;
      forceEnded.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Throws if a force of this file failed before: a file that failed a force takes no more
   * writes. Call before appending.
   */
  void checkWritable() {
    refuseIfBroken(Long.MAX_VALUE);
  }

  private void refuseIfBroken(long sequence) {
    ForceFailed failed = broken;
    if (failed != null) {
      throw new ForceFailed("an earlier fsync of " + what + " failed (" + failed.getCause()
          + "); it takes no more writes and reports nothing more durable until the queue is"
          + " reopened", failed, failed.durableBefore(), sequence);
    }
  }

  /**
   * A force failed: what it covered above {@link #durableBefore} may not be reported durable, even
   * if a later force moves {@link #durable()} past it before the caller looks.
   */
  static final class ForceFailed extends QueueException {
    private static final long serialVersionUID = 1L;
    private final long durableBefore;
    private final long covered;

    ForceFailed(String message, Throwable cause, long durableBefore, long covered) {
      super(message, cause);
      this.durableBefore = durableBefore;
      this.covered = covered;
    }

    /** How far the file was durable when the failed force began. */
    long durableBefore() {
      return durableBefore;
    }

    /** The sequence the failed force was to make durable. */
    long covered() {
      return covered;
    }
  }

  /** Runs {@code action} while no force runs (a file swap); no force starts until it returns. */
  void exclusive(Runnable action) {
    lock.lock();
    try {
      while (forcing) {
        forceEnded.awaitUninterruptibly();
      }
      action.run();
    } finally {
      lock.unlock();
    }
  }

  /** Everything up to {@code sequence} became durable by other means (a synced snapshot). */
  void markDurable(long sequence) {
    lock.lock();
    try {
      if (sequence > durable) {
        durable = sequence;
      }
    } finally {
      lock.unlock();
    }
  }
}
