package io.scaleblocks.sharding;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Attack on {@link WriteGate}: "One pause at a time: a second waits for the first, within its own
 * timeout" ({@link ShardRouter#pauseWrites}). A second pause that is interrupted while it waits
 * for the first must leave the first one holding writes.
 */
class WritePauseAttackTest {

  @Test
  void anInterruptedSecondPauseLeavesTheFirstPauseHoldingWrites() throws Exception {
    ShardRouter<String, String> router = ShardRouter.<String, String>builder()
        .shard("s0", "db-0").shard("s1", "db-1").build();
    ShardRouter.WritePause first = router.pauseWrites(Duration.ofSeconds(1));
    CompletableFuture<String> write = null;
    try {
      AtomicReference<Throwable> secondFailed = new AtomicReference<>();
      Thread second = new Thread(() -> {
        try {
          router.pauseWrites(Duration.ofSeconds(30)).close();
        } catch (RuntimeException e) {
          secondFailed.set(e);
        }
      }, "second-pause");
      second.start();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (second.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < until) {
        Thread.sleep(5);
      }
      assertTrue(second.getState() == Thread.State.TIMED_WAITING, "the second pause waits for the first");
      second.interrupt();
      second.join(5_000);
      assertFalse(second.isAlive());
      assertTrue(secondFailed.get() instanceof IllegalStateException, String.valueOf(secondFailed.get()));

      // The first pause is still open: a write must still be held.
      write = CompletableFuture.supplyAsync(() -> router.write("k", shard -> shard.id()));
      CompletableFuture<String> held = write;
      assertThrows(TimeoutException.class, () -> held.get(300, TimeUnit.MILLISECONDS),
          "a write went through while the first pause was still open: the interrupted second pause"
              + " released it");
    } finally {
      first.close();
      if (write != null) {
        write.get(5, TimeUnit.SECONDS);
      }
    }
  }
}
