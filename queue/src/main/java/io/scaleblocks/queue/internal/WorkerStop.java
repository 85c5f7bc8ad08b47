package io.scaleblocks.queue.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;

/**
 * How a queue stops one of its worker threads (the file log's flush thread, the Redis sender):
 * mark it closed and wake it under its lock, wait for it a bounded time, and warn if it is still
 * running; the caller then fails whatever it left. Not API.
 *
 * <p>Stateless and thread-safe. An interrupt of the waiting thread ends the wait early and is kept.
 */
public final class WorkerStop {

  /** How long {@link #stop} waits for the thread. */
  public static final long WAIT_SECONDS = 30;

  private WorkerStop() {}

  /**
   * Runs {@code markClosed} (which sets the worker's closed flag and signals its condition) under
   * {@code lock}, waits up to {@link #WAIT_SECONDS} for {@code thread} to end, and logs a warning
   * "{@code name} - the {@code what} did not stop within 30 s" if it has not.
   */
  public static void stop(ReentrantLock lock, Runnable markClosed, Thread thread, Logger log,
      String name, String what) {
    lock.lock();
    try {
      markClosed.run();
    } finally {
      lock.unlock();
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("{} - the {} did not stop within {} s", name, what, WAIT_SECONDS);
    }
  }
}
