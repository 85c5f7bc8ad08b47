package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Failed invalidations are kept up to a bound; past it every key bypasses the shared tier. */
class UndeliveredInvalidationsTest {

  private static final long LIFETIME = TimeUnit.MINUTES.toNanos(5);
  private final AtomicLong now = new AtomicLong();
  private final UndeliveredInvalidations<Integer> undelivered = new UndeliveredInvalidations<>(3, LIFETIME, now::get);

  @Test
  void pastTheBoundMemoryStaysBoundedAndEveryKeyBypassesUntilDrainedAndExpired() {
    for (int key = 0; key < 1_000; key++) {
      undelivered.add(key);
    }
    assertEquals(3, undelivered.size(), "memory is bounded");
    assertEquals(997, undelivered.dropped());
    assertTrue(undelivered.bypasses(999), "a dropped key bypasses the shared tier");
    assertTrue(undelivered.bypasses(5_000), "so does every other key, whose invalidation may have been dropped");

    assertEquals(1, undelivered.retry(key -> key != 1));
    assertTrue(undelivered.bypasses(5_000), "one kept invalidation is still undelivered");
    assertEquals(0, undelivered.retry(key -> true));
    assertTrue(undelivered.bypasses(5_000), "a copy a dropped invalidation missed may still live");

    now.addAndGet(LIFETIME);
    undelivered.retry(key -> true);
    assertFalse(undelivered.overflowed());
    assertFalse(undelivered.bypasses(5_000), "drained and every missed copy expired: the shared tier is used again");
  }

  @Test
  void underTheBoundOnlyTheFailedKeysBypass() {
    undelivered.add(1);
    undelivered.add(1);
    undelivered.add(2);
    undelivered.add(3);
    undelivered.add(3);
    assertEquals(0, undelivered.dropped(), "a key already kept takes no more room");
    assertTrue(undelivered.bypasses(1));
    assertFalse(undelivered.bypasses(4));
    assertEquals(0, undelivered.retry(key -> true));
    assertFalse(undelivered.bypasses(1));
  }
}
