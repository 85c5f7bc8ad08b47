package io.scaleblocks.queue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

class SegmentedLogQueueTest extends MessageQueueContract {

  private final FakeClock clock = new FakeClock();
  @TempDir Path dir;
  private int opened;

  @Override
  protected MessageQueue create(QueueConfig config) {
    return SegmentedLogQueue.open(dir.resolve("q" + opened++), config);
  }

  @Override
  protected QueueConfig.Builder config() {
    return QueueConfig.builder().clock(clock).segmentBytes(1 << 20).maxMessageBytes(64 << 10);
  }

  @Override
  protected void passTime(Duration d) {
    clock.advance(d);
  }
}
