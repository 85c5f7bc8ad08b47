package io.scaleblocks.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assertions;

/**
 * Waits for a condition on a real server (replication catching up, a process going away).
 *
 * <p>Only for what happens outside the JVM's control; time inside the code under test is a fake
 * clock that the test advances, never a wait.
 */
public final class Await {

  private static final long POLL_MILLIS = 10;

  private Await() {}

  /** Polls {@code condition} until it holds, failing with {@code what} after {@code timeout}. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        Assertions.fail("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        Assertions.fail("interrupted while waiting for " + what);
      }
    }
  }
}
