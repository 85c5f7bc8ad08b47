package io.scaleblocks.queue.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scaleblocks.queue.Durability;
import io.scaleblocks.queue.Message;
import io.scaleblocks.queue.MessageQueue;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.queue.SegmentedLogQueue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageQueueMetricsTest {

  @TempDir Path dir;

  @Test
  void metersFollowTheQueue() {
    QueueConfig config = QueueConfig.builder().name("photos").durability(Durability.EVERY_PUBLISH)
        .segmentBytes(1 << 20).maxMessageBytes(1024).maxDeliveries(1).build();
    try (MessageQueue q = SegmentedLogQueue.open(dir, config)) {
      q.poll("jobs", "thumbs", "c", 1, Duration.ZERO);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      new MessageQueueMetrics(q, List.of("jobs")).bindTo(registry);
      q.publishAll("jobs", List.of(new byte[1], new byte[1], new byte[1]));
      List<Message> got = q.poll("jobs", "thumbs", "c", 3, Duration.ZERO);
      q.ack(got.get(0));
      q.nack(got.get(1), Duration.ZERO, "failed");
      q.poll("jobs", "thumbs", "c", 3, Duration.ZERO);
      assertEquals(3, registry.get("scaleblocks.queue.published").tag("name", "photos")
          .functionCounter().count());
      assertEquals(3, registry.get("scaleblocks.queue.delivered").functionCounter().count());
      assertEquals(1, registry.get("scaleblocks.queue.acked").functionCounter().count());
      assertEquals(1, registry.get("scaleblocks.queue.dead.lettered").functionCounter().count());
      assertEquals(0, registry.get("scaleblocks.queue.redelivered").functionCounter().count());
      assertEquals(1, registry.get("scaleblocks.queue.lag").tag("topic", "jobs")
          .tag("group", "thumbs").gauge().value());
      FunctionTimer fsync = registry.get("scaleblocks.queue.fsync").functionTimer();
      assertEquals(q.stats().fsyncs(), (long) fsync.count());
      assertEquals(q.stats().fsyncRecords(), (long) registry.get("scaleblocks.queue.fsync.records")
          .functionCounter().count());
    }
  }
}
