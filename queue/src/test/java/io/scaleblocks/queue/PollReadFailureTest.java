package io.scaleblocks.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A poll whose read of the log fails hands nothing out and leaves nothing leased to nobody. */
class PollReadFailureTest {

  private final FakeClock clock = new FakeClock();

  /** Memory storage whose logs fail the next {@code failures} reads of {@code offset}. */
  private static final class FailingReads implements Storage {
    private final MemoryStorage memory = new MemoryStorage();
    private final long offset;
    private final AtomicInteger failures;

    FailingReads(long offset, int failures) {
      this.offset = offset;
      this.failures = new AtomicInteger(failures);
    }

    @Override
    public TopicLog openTopic(String topic) {
      TopicLog log = memory.openTopic(topic);
      return new TopicLog() {
        @Override
        public long append(List<byte[]> payloads, DeadLetter deadLetter, long timestampMillis) {
          return log.append(payloads, deadLetter, timestampMillis);
        }

        @Override
        public void sync(long endOffset) {
          log.sync(endOffset);
        }

        @Override
        public long start() {
          return log.start();
        }

        @Override
        public long end() {
          return log.end();
        }

        @Override
        public StoredRecord read(long at) {
          if (at == offset && failures.getAndDecrement() > 0) {
            throw new QueueException("read of offset " + at + " failed");
          }
          return log.read(at);
        }

        @Override
        public void releaseBelow(long below) {
          log.releaseBelow(below);
        }

        @Override
        public void close() {
          log.close();
        }
      };
    }

    @Override
    public GroupJournal openGroup(String topic, String group) {
      return memory.openGroup(topic, group);
    }

    @Override
    public List<String> existingTopics() {
      return List.of();
    }

    @Override
    public List<String> existingGroups(String topic) {
      return List.of();
    }

    @Override
    public List<SkippedRecords> skipped() {
      return List.of();
    }

    @Override
    public void skippedHandled() {}

    @Override
    public void close() {}
  }

  @Test
  void theLeasesOfAPollWhoseReadFailedAreDeliverableAgainAtOnceWithoutCountingIt() {
    QueueConfig config = QueueConfig.builder().clock(clock).visibilityTimeout(Duration.ofSeconds(30))
        .build();
    try (LocalQueue q = new LocalQueue(config, counters -> new FailingReads(2, 1))) {
      for (int i = 0; i < 5; i++) {
        q.publish("t", ("m" + i).getBytes(UTF_8));
      }
      QueueException e = assertThrows(QueueException.class,
          () -> q.poll("t", "g", "c", 5, Duration.ZERO));
      assertEquals("read of offset 2 failed", e.getMessage());
      List<Message> again = q.poll("t", "g", "c", 5, Duration.ZERO);
      assertEquals(List.of("m0", "m1", "m2", "m3", "m4"),
          again.stream().map(m -> new String(m.payload(), UTF_8)).toList(),
          "no message stays leased until its visibility timeout");
      assertEquals(List.of(1, 1, 1, 1, 1), again.stream().map(Message::deliveryCount).toList(),
          "the poll that failed delivered nothing");
      assertEquals(5, q.stats().delivered());
    }
  }

  @Test
  void aMessageDueForDeadLetteringWhosePollReadFailedIsDeadLetteredByTheNextPoll() {
    QueueConfig config = QueueConfig.builder().clock(clock).visibilityTimeout(Duration.ofSeconds(30))
        .maxDeliveries(1).build();
    FailingReads storage = new FailingReads(0, 0);
    try (LocalQueue q = new LocalQueue(config, counters -> storage)) {
      q.publish("t", "m0".getBytes(UTF_8));
      assertEquals(1, q.poll("t", "g", "c", 1, Duration.ZERO).size());
      clock.advance(Duration.ofSeconds(31));
      storage.failures.set(1);
      assertThrows(QueueException.class, () -> q.poll("t", "g", "c", 1, Duration.ZERO),
          "the read of the message to dead-letter fails");
      assertEquals(List.of(), q.poll("t", "g", "c", 1, Duration.ZERO));
      List<Message> dead = q.poll(MessageQueue.deadLetterTopic("t"), "ops", "c", 1, Duration.ZERO);
      assertEquals(List.of("m0"), dead.stream().map(m -> new String(m.payload(), UTF_8)).toList(),
          "the message is dead-lettered once the log reads again, not leased to nobody");
      assertEquals(0, q.lag("t", "g"));
    }
  }
}
