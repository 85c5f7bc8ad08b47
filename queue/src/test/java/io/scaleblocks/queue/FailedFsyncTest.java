package io.scaleblocks.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed fsync of a topic's segment stops that topic, and that topic only (README, fsyncgate). */
class FailedFsyncTest {

  @TempDir Path dir;
  private final FailingFileIo disk = new FailingFileIo(Long.MAX_VALUE);

  private static QueueConfig.Builder interval(Duration every) {
    return QueueConfig.builder().clock(new FakeClock()).segmentBytes(4096).maxMessageBytes(1024)
        .durability(Durability.INTERVAL).fsyncInterval(every);
  }

  private static List<String> payloads(MessageQueue q, String topic) {
    return q.poll(topic, "g", "c", 100, Duration.ZERO).stream()
        .map(m -> new String(m.payload(), UTF_8)).toList();
  }

  @Test
  void aFailedFsyncOfTheOldSegmentAtARollStopsTheTopicUntilReopened() {
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, interval(Duration.ofHours(1)).build(), disk)) {
      q.publish("t", "first".getBytes(UTF_8));
      for (int i = 0; i < 3; i++) {
        q.publish("t", new byte[1000]);
      }
      disk.failForces = true;
      // does not fit the rest of the first segment: the first one is synced before the roll
      QueueException failed = assertThrows(QueueException.class, () -> q.publish("t", new byte[1000]),
          "the roll's fsync of the first segment failed");
      assertTrue(failed.getMessage().contains("Input/output error"), failed.getMessage());
      disk.failForces = false;
      for (int i = 0; i < 3; i++) {
        QueueException refused = assertThrows(QueueException.class,
            () -> q.publish("t", new byte[1000]),
            "a later fsync that succeeds says nothing of the pages the failed one could not write");
        assertTrue(refused.getMessage().contains("reopened"), refused.getMessage());
      }
    }
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, interval(Duration.ofHours(1)).build(), disk)) {
      List<String> kept = payloads(q, "t");
      assertEquals(4, kept.size(), "reopened: what reached the file, nothing more");
      assertEquals("first", kept.get(0));
      q.publish("t", new byte[1000]);
    }
  }

  @Test
  void aTopicWhoseIntervalFsyncFailedDoesNotStopTheIntervalFsyncOfTheOthers() throws Exception {
    disk.failForcesOf(file -> file.getParent().getFileName().toString().equals("a"));
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, interval(Duration.ofMillis(5)).build(), disk)) {
      q.publish("a", "lost".getBytes(UTF_8));
      assertTrue(disk.forceFailed.await(10, TimeUnit.SECONDS), "the interval fsync of a failed");
      // "a" is visited before "b" (and before every group journal) by the interval fsync
      q.publish("b", "kept".getBytes(UTF_8));
      assertTrue(disk.awaitForced(file -> file.getParent().getFileName().toString().equals("b"),
          10, TimeUnit.SECONDS), "topic b is still synced every interval");
      QueueException refused = assertThrows(QueueException.class,
          () -> q.publish("a", "more".getBytes(UTF_8)));
      assertTrue(refused.getMessage().contains("reopened"), refused.getMessage());
      assertEquals(List.of("kept"), payloads(q, "b"));
    }
  }
}
