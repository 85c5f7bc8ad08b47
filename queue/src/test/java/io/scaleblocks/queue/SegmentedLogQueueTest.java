package io.scaleblocks.queue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

class SegmentedLogQueueTest extends MessageQueueContract {

  private final FakeClock clock = new FakeClock();
  @TempDir Path dir;
  private int opened;
  private final Map<MessageQueue, FailingFileIo> disks = new HashMap<>();

  @Override
  protected MessageQueue create(QueueConfig config) {
    FailingFileIo disk = new FailingFileIo(Long.MAX_VALUE);
    MessageQueue q = SegmentedLogQueue.open(dir.resolve("q" + opened++), config, disk);
    disks.put(q, disk);
    return q;
  }

  @Override
  protected boolean failDurableWrites(MessageQueue q, String topic) {
    disks.get(q).failForces = true;
    return true;
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
