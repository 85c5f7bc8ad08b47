package io.scaleblocks.queue.internal;

import io.scaleblocks.queue.BackPressure;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.queue.QueueException;
import io.scaleblocks.queue.QueueFullException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The bound on messages of asynchronous publishes that wait for durability
 * ({@link QueueConfig#maxInFlightPublishes()}): a publish takes one permit per message before it
 * writes anything and gives them back when its future completes, either way. Past the bound it
 * blocks up to the publish timeout or fails at once, as the back-pressure setting says. Not API.
 *
 * <p>Thread-safe.
 */
public final class InFlightBound {

  private final QueueConfig config;
  private final Semaphore permits;

  public InFlightBound(QueueConfig config) {
    this.config = config;
    this.permits = new Semaphore(config.maxInFlightPublishes());
  }

  /**
   * Takes {@code n} permits.
   *
   * @throws QueueFullException if they are not free (at once, or within the publish timeout)
   * @throws QueueException if interrupted while waiting (the interrupt status is kept)
   */
  public void acquire(String topic, int n) {
    int max = config.maxInFlightPublishes();
    if (n > max) {
      throw new QueueFullException(config.name() + " - an asynchronous batch of " + n
          + " messages for topic '" + topic + "' can never fit max-in-flight-publishes " + max);
    }
    boolean got;
    if (config.backPressure() == BackPressure.FAIL) {
      got = permits.tryAcquire(n);
    } else {
      try {
        got = permits.tryAcquire(n, config.publishTimeout().toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QueueException(config.name() + " - interrupted while waiting to publish to '"
            + topic + "' (max-in-flight-publishes)", e);
      }
    }
    if (!got) {
      throw new QueueFullException(config.name() + " - " + max + " asynchronous publishes are"
          + " waiting for durability (max-in-flight-publishes)"
          + (config.backPressure() == BackPressure.BLOCK
              ? " and no room came within " + config.publishTimeout() : "")
          + "; topic '" + topic + "' got nothing written");
    }
  }

  public void release(int n) {
    permits.release(n);
  }
}
