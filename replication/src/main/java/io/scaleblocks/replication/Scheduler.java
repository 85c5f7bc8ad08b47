package io.scaleblocks.replication;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The time every wait and schedule of a router runs on: the causal wait's deadline and pauses,
 * the monitor's health interval and probe timeout, the grace period of a renewed pool. The
 * {@link #system} one is real time with one daemon thread of the router's own; tests pass one
 * whose time they move, so nothing waits for real time to pass. Implementations are
 * thread-safe.
 */
interface Scheduler {

  /** Now, in nanoseconds from an arbitrary origin (differences only, as {@link System#nanoTime}). */
  long nanoTime();

  /** Waits {@code nanos} of this scheduler's time. */
  void sleep(long nanos) throws InterruptedException;

  /**
   * Runs {@code task} {@code delayNanos} after it starts being scheduled, then again
   * {@code delayNanos} after each run ends, until {@link #close()}.
   */
  void scheduleWithFixedDelay(Runnable task, long delayNanos);

  /** Runs {@code task} soon on the scheduler's thread; false when it is closed. */
  boolean execute(Runnable task);

  /**
   * The value of {@code future} once done, or a {@link TimeoutException} when it is not done by
   * {@code deadlineNanos} of this scheduler's {@link #nanoTime()} (a deadline taken before the
   * work was submitted, so that work which ran before the wait began still counts).
   */
  <T> T awaitUntil(Future<T> future, long deadlineNanos)
      throws InterruptedException, ExecutionException, TimeoutException;

  /** Stops the scheduled tasks (a task running now is interrupted). */
  void close();

  /** Real time, on one daemon thread named {@code threadName}. */
  static Scheduler system(String threadName) {
    return new SystemScheduler(threadName);
  }

  /** {@link Scheduler#system}. */
  final class SystemScheduler implements Scheduler {

    private final ScheduledExecutorService executor;

    SystemScheduler(String threadName) {
      ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, task -> {
        Thread thread = new Thread(task, threadName);
        thread.setDaemon(true);
        return thread;
      });
      pool.setRemoveOnCancelPolicy(true);
      this.executor = pool;
    }

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void sleep(long nanos) throws InterruptedException {
      TimeUnit.NANOSECONDS.sleep(nanos);
    }

    @Override
    public void scheduleWithFixedDelay(Runnable task, long delayNanos) {
      executor.scheduleWithFixedDelay(task, delayNanos, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean execute(Runnable task) {
      try {
        executor.execute(task);
        return true;
      } catch (RejectedExecutionException e) {
        return false;
      }
    }

    @Override
    public <T> T awaitUntil(Future<T> future, long deadlineNanos)
        throws InterruptedException, ExecutionException, TimeoutException {
      return future.get(Math.max(0, deadlineNanos - nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
      executor.shutdownNow();
    }
  }
}
