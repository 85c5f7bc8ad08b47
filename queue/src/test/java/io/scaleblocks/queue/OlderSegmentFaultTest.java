package io.scaleblocks.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage at the end of an older (sealed, not the last) segment of a multi-segment log: its last
 * records zeroed, or its last record corrupt. Either way the next segment starts at an offset this
 * one no longer reaches: a corruption in the middle of the log, refused under STOP, skipped,
 * dead-lettered and repaired under SKIP_AND_DEAD_LETTER.
 */
class OlderSegmentFaultTest {

  private static final int MESSAGES = 100;

  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();

  private QueueConfig config(CorruptionPolicy policy) {
    return QueueConfig.builder().clock(clock).segmentBytes(4096).maxMessageBytes(1024)
        .durability(Durability.NONE).corruptionPolicy(policy).build();
  }

  private SegmentedLogQueue open(CorruptionPolicy policy) {
    return SegmentedLogQueue.open(dir, config(policy));
  }

  private static byte[] payload(int i) {
    byte[] b = Arrays.copyOf(("m" + i).getBytes(UTF_8), 100);
    Arrays.fill(b, ("m" + i).length(), b.length, (byte) '.');
    return b;
  }

  private static String name(Message m) {
    String s = new String(m.payload(), UTF_8);
    return s.substring(0, s.indexOf('.'));
  }

  /**
   * 100 messages of 100 bytes over several 4 KiB segments; a group has acknowledged the first ten,
   * and one that never acknowledges keeps every segment on disk.
   */
  private void publishAndClose() {
    try (SegmentedLogQueue q = open(CorruptionPolicy.STOP)) {
      q.poll("t", "keeper", "c", 1, Duration.ZERO);
      for (int i = 0; i < MESSAGES; i++) {
        q.publish("t", payload(i));
      }
      q.ackAll(q.poll("t", "early", "c", 10, Duration.ZERO));
    }
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("topics").resolve("t"))) {
      return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }

  private static long baseOf(Path segment) {
    String n = segment.getFileName().toString();
    return Long.parseLong(n.substring(0, n.length() - ".seg".length()));
  }

  private static long positionOfRecord(Path segment, int index) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(segment));
    int p = Segment.HEADER;
    for (int i = 0; i < index; i++) {
      p += RecordFormat.FRAME_HEADER + buf.getInt(p);
    }
    return p;
  }

  private static List<String> drain(MessageQueue q, String topic, String group) {
    List<String> out = new ArrayList<>();
    List<Message> got;
    while (!(got = q.poll(topic, group, "c", 7, Duration.ZERO)).isEmpty()) {
      got.forEach(m -> out.add(name(m)));
      q.ackAll(got);
    }
    return out;
  }

  private static List<String> allBut(int from, int to, int upTo) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < upTo; i++) {
      if (i < from || i >= to) {
        out.add("m" + i);
      }
    }
    return out;
  }

  /** The first segment's facts: its file, its record count, and the damage done to it. */
  private record Damage(Path file, long position, int firstLost, int lost) {}

  /** Zeroes the last {@code lost} records of the first segment, and everything after them. */
  private Damage zeroEndOfFirstSegment(int lost) throws IOException {
    publishAndClose();
    List<Path> segs = segments();
    assertTrue(segs.size() >= 3, "several segments: " + segs);
    Path first = segs.get(0);
    int records = (int) baseOf(segs.get(1));
    long position = positionOfRecord(first, records - lost);
    try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
      Segment.zeroFill(ch, position, ch.size());
    }
    return new Damage(first, position, records - lost, lost);
  }

  /** Flips a bit in the payload of the first segment's last record. */
  private Damage corruptLastRecordOfFirstSegment() throws IOException {
    publishAndClose();
    List<Path> segs = segments();
    Path first = segs.get(0);
    int records = (int) baseOf(segs.get(1));
    long position = positionOfRecord(first, records - 1);
    byte[] b = Files.readAllBytes(first);
    b[(int) position + RecordFormat.MIN_FRAME + 50] ^= 0x10;
    Files.write(first, b);
    return new Damage(first, position, records - 1, 1);
  }

  private static void assertRefused(Damage d, CorruptLogException e) {
    assertEquals(d.file(), e.file());
    assertEquals(d.position(), e.position());
    assertTrue(e.getMessage().contains(d.file().toString())
        && e.getMessage().contains("messages " + d.firstLost() + " to "
            + (d.firstLost() + d.lost() - 1)), e.getMessage());
  }

  @Test
  void zeroedLastRecordsOfAnOlderSegmentAreRefusedUnderStop() throws IOException {
    Damage d = zeroEndOfFirstSegment(3);
    assertRefused(d, assertThrows(CorruptLogException.class, () -> open(CorruptionPolicy.STOP)));
    assertRefused(d, assertThrows(CorruptLogException.class, () -> open(CorruptionPolicy.STOP)));
  }

  @Test
  void zeroedLastRecordsOfAnOlderSegmentAreSkippedDeadLetteredAndRepaired() throws IOException {
    Damage d = zeroEndOfFirstSegment(3);
    skippedDeadLetteredAndRepaired(d, RecoveryReport.CorruptionKind.ZEROED_RECORDS, "zeroed");
  }

  @Test
  void aCorruptLastRecordOfAnOlderSegmentIsRefusedUnderStop() throws IOException {
    Damage d = corruptLastRecordOfFirstSegment();
    assertRefused(d, assertThrows(CorruptLogException.class, () -> open(CorruptionPolicy.STOP)));
    assertRefused(d, assertThrows(CorruptLogException.class, () -> open(CorruptionPolicy.STOP)));
  }

  @Test
  void aCorruptLastRecordOfAnOlderSegmentIsSkippedDeadLetteredAndRepaired() throws IOException {
    Damage d = corruptLastRecordOfFirstSegment();
    skippedDeadLetteredAndRepaired(d, RecoveryReport.CorruptionKind.BAD_RECORD, "CRC32C");
  }

  private void skippedDeadLetteredAndRepaired(Damage d, RecoveryReport.CorruptionKind kind,
      String reasonWord) {
    int to = d.firstLost() + d.lost();
    try (SegmentedLogQueue q = open(CorruptionPolicy.SKIP_AND_DEAD_LETTER)) {
      RecoveryReport r = q.recoveryReport();
      assertEquals(1, r.corruptions().size(), r.toString());
      RecoveryReport.Corruption c = r.corruptions().get(0);
      assertEquals(d.file(), c.file());
      assertEquals(d.position(), c.position());
      assertEquals(d.firstLost(), c.firstOffset());
      assertEquals(d.lost(), c.count());
      assertEquals(kind, c.kind());
      assertTrue(r.cuts().isEmpty(), r.toString());

      assertEquals(allBut(d.firstLost(), to, MESSAGES), drain(q, "t", "fresh"),
          "a new group passes over the lost range");
      assertEquals(allBut(d.firstLost(), to, MESSAGES).subList(10, MESSAGES - d.lost()),
          drain(q, "t", "early"), "a group positioned before the range passes over it");

      List<Message> dead = q.poll("t.dlq", "ops", "c", 100, Duration.ZERO);
      assertEquals(d.lost(), dead.size());
      for (int i = 0; i < d.lost(); i++) {
        DeadLetter letter = dead.get(i).deadLetter().orElseThrow();
        assertEquals("t", letter.sourceTopic());
        assertEquals(Long.toString(d.firstLost() + i), letter.sourceId());
        assertEquals(0, dead.get(i).payload().length, "nothing of the message could be read");
        assertTrue(letter.reason().contains(reasonWord)
            && letter.reason().contains(d.file().toString())
            && letter.reason().contains("byte " + d.position()), letter.reason());
      }
      q.ackAll(dead);
      q.publish("t", payload(MESSAGES));
    }
    try (SegmentedLogQueue q = open(CorruptionPolicy.SKIP_AND_DEAD_LETTER)) {
      assertTrue(q.recoveryReport().clean(), "repaired in place: " + q.recoveryReport());
      assertTrue(q.poll("t.dlq", "ops", "c", 10, Duration.ZERO).isEmpty(), "dead-lettered once");
      assertEquals(allBut(d.firstLost(), to, MESSAGES + 1), drain(q, "t", "later"));
    }
    try (SegmentedLogQueue q = open(CorruptionPolicy.STOP)) {
      assertTrue(q.recoveryReport().clean(), "a STOP queue opens the repaired log too");
    }
  }
}
