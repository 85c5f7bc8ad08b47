package io.scaleblocks.queue;

import java.time.Duration;

class InMemoryQueueTest extends MessageQueueContract {

  private final FakeClock clock = new FakeClock();

  @Override
  protected MessageQueue create(QueueConfig config) {
    return MessageQueues.inMemory(config);
  }

  @Override
  protected QueueConfig.Builder config() {
    return QueueConfig.builder().clock(clock);
  }

  @Override
  protected void passTime(Duration d) {
    clock.advance(d);
  }
}
