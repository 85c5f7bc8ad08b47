package io.scaleblocks.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the segment-continuity check on open makes of a topic directory a real deployment has. */
class SegmentDirectoryTest {

  @TempDir Path dir;

  private QueueConfig config() {
    return QueueConfig.builder().clock(new FakeClock()).segmentBytes(4096).maxMessageBytes(1024)
        .durability(Durability.GROUP_COMMIT).corruptionPolicy(CorruptionPolicy.STOP).build();
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("topics").resolve("t"))) {
      return s.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
    }
  }

  private static List<String> drain(MessageQueue q) {
    List<String> out = new ArrayList<>();
    List<Message> got;
    while (!(got = q.poll("t", "g", "c", 50, Duration.ZERO)).isEmpty()) {
      got.forEach(m -> out.add(new String(m.payload(), UTF_8).trim()));
      q.ackAll(got);
    }
    return out;
  }

  private static byte[] payload(int i) {
    return String.format("%-100s", "m" + i).getBytes(UTF_8);
  }

  @Test
  void aLogWhoseAcknowledgedSegmentsWereDeletedOpensUnderStop() throws IOException {
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, config())) {
      for (int i = 0; i < 100; i++) {
        q.publish("t", payload(i));
      }
      for (int i = 0; i < 60; i++) {
        q.ack(q.poll("t", "g", "c", 1, Duration.ZERO).get(0));
      }
    }
    assertTrue(segments().size() > 1, "several segments left");
    assertTrue(!segments().get(0).getFileName().toString().equals("00000000000000000000.seg"),
        "the first segments were deleted: " + segments());
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, config())) {
      List<String> expected = new ArrayList<>();
      for (int i = 60; i < 100; i++) {
        expected.add("m" + i);
      }
      assertEquals(expected, drain(q), "no gap is seen below the first remaining segment");
      assertEquals(List.of(), q.recoveryReport().corruptions());
    }
  }

  @Test
  void aStrayFileNamedLikeASegmentIsIgnoredNotTakenForOne() throws IOException {
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, config())) {
      for (int i = 0; i < 100; i++) {
        q.publish("t", payload(i));
      }
    }
    Path stray = dir.resolve("topics").resolve("t").resolve("notes.seg");
    Files.writeString(stray, "an operator's notes");
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, config())) {
      assertEquals(100, drain(q).size(), "every message is delivered");
    }
    assertEquals("an operator's notes", Files.readString(stray), "left as it was");
  }
}
