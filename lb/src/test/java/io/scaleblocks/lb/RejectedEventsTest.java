package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Removal events whose delivery the user's event executor rejected. */
class RejectedEventsTest {

  @Test
  void aRemovalWhoseDeliveryWasRejectedGoesOutWithTheNextDelivery() throws Exception {
    ExecutorService thread = Executors.newSingleThreadExecutor();
    AtomicBoolean rejectNext = new AtomicBoolean(true);
    Executor rejectsOnce = task -> {
      if (rejectNext.getAndSet(false)) {
        throw new RejectedExecutionException("saturated");
      }
      thread.execute(task);
    };
    try {
      EndpointGroup<String> group = EndpointGroup.of();
      group.add(Endpoint.of("a"));
      group.add(Endpoint.of("b"));
      group.add(Endpoint.of("c"));
      BlockingQueue<String> removed = new LinkedBlockingQueue<>();
      try (LoadBalancer<String> lb = LoadBalancer.builder(group).eventExecutor(rejectsOnce).build()) {
        lb.addListener(new LoadBalancerListener<>() {
          @Override
          public void onEndpointRemoved(Endpoint<String> endpoint) {
            removed.add(endpoint.address());
          }
        });
        group.remove("a");
        group.remove("b");
        assertEquals("a", removed.poll(5, TimeUnit.SECONDS));
        assertEquals("b", removed.poll(5, TimeUnit.SECONDS));
      }
    } finally {
      thread.shutdownNow();
    }
  }
}
