package io.scaleblocks.queue;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.queue.internal.QueueCounters;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
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
}
