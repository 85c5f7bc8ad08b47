package io.scaleblocks.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damage a crash or a disk can do to the file log, and what opening it again does about it. */
class SegmentedLogFaultTest {

  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();

  private QueueConfig.Builder config() {
    return QueueConfig.builder().clock(clock).segmentBytes(1 << 20).maxMessageBytes(4096)
        .visibilityTimeout(Duration.ofSeconds(30));
  }

  private SegmentedLogQueue open() {
    return SegmentedLogQueue.open(dir, config().build());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  /** Publishes {@code n} messages "m0".."m(n-1)" and closes; returns the segment file. */
  private Path publishAndClose(int n) throws IOException {
    try (SegmentedLogQueue q = open()) {
      for (int i = 0; i < n; i++) {
        q.publish("t", bytes("m" + i));
      }
    }
    return segments().get(0);
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("topics").resolve("t"))) {
      return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }

  private static List<String> drain(MessageQueue q, String topic, String group) {
    List<String> out = new ArrayList<>();
    List<Message> got;
    while (!(got = q.poll(topic, group, "c", 100, Duration.ZERO)).isEmpty()) {
      got.forEach(m -> out.add(new String(m.payload(), UTF_8)));
      q.ackAll(got);
    }
    return out;
  }

  private static long positionOfRecord(Path segment, int index) throws IOException {
    byte[] b = Files.readAllBytes(segment);
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b);
    int p = Segment.HEADER;
    for (int i = 0; i < index; i++) {
      p += RecordFormat.FRAME_HEADER + buf.getInt(p);
    }
    return p;
  }

  private static List<String> expected(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add("m" + i);
    }
    return out;
  }

  @Test
  void reopeningKeepsMessagesAcknowledgementsAndDeliveryCounts() {
    try (SegmentedLogQueue q = open()) {
      for (int i = 0; i < 10; i++) {
        q.publish("t", bytes("m" + i));
      }
      List<Message> got = q.poll("t", "g", "c", 5, Duration.ZERO);
      q.ackAll(got.subList(0, 3));
    }
    try (SegmentedLogQueue q = open()) {
      assertTrue(q.recoveryReport().clean(), q.recoveryReport().toString());
      List<Message> got = q.poll("t", "g", "c", 100, Duration.ZERO);
      assertEquals(expected(3, 10), got.stream().map(m -> new String(m.payload(), UTF_8)).toList());
      assertEquals(List.of(2, 2, 1, 1, 1, 1, 1), got.stream().map(Message::deliveryCount).toList(),
          "m3 and m4 were delivered before the restart");
    }
  }

  @Test
  void aTornLastRecordIsCutAndReportedAndTheRecordsBeforeItAreKept() throws IOException {
    Path segment = publishAndClose(5);
    long size = Files.size(segment);
    long last = positionOfRecord(segment, 4);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(size - 3);
    }
    try (SegmentedLogQueue q = open()) {
      RecoveryReport r = q.recoveryReport();
      assertEquals(1, r.cuts().size(), r.toString());
      RecoveryReport.Cut cut = r.cuts().get(0);
      assertEquals(segment, cut.file());
      assertEquals(last, cut.position());
      assertEquals(size - 3 - last, cut.bytes());
      assertEquals(RecoveryReport.CutKind.TORN_RECORD, cut.kind());
      assertEquals(expected(0, 4), drain(q, "t", "g"));
      q.publish("t", bytes("after"));
    }
    try (SegmentedLogQueue q = open()) {
      assertTrue(q.recoveryReport().clean(), q.recoveryReport().toString());
      q.poll("t", "g", "c", 1, Duration.ZERO);
      assertEquals(0, q.lag("t", "g") - 1, "the new record follows the kept ones");
    }
  }

  @Test
  void garbageAfterTheLastRecordIsCutAndEveryRecordIsKept() throws IOException {
    Path segment = publishAndClose(5);
    long size = Files.size(segment);
    byte[] garbage = new byte[777];
    new java.util.Random(7).nextBytes(garbage);
    Files.write(segment, garbage, StandardOpenOption.APPEND);
    try (SegmentedLogQueue q = open()) {
      RecoveryReport.Cut cut = q.recoveryReport().cuts().get(0);
      assertEquals(size, cut.position());
      assertEquals(777, cut.bytes());
      assertEquals(RecoveryReport.CutKind.GARBAGE, cut.kind());
      assertEquals(expected(0, 5), drain(q, "t", "g"));
    }
  }

  @Test
  void aZeroedBlockAtTheTailIsCutKeepingEveryCompleteRecord() throws IOException {
    Path segment = publishAndClose(5);
    long last = positionOfRecord(segment, 4);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      Segment.zeroFill(ch, last, last + 4096);
    }
    try (SegmentedLogQueue q = open()) {
      RecoveryReport.Cut cut = q.recoveryReport().cuts().get(0);
      assertEquals(last, cut.position());
      assertEquals(4096, cut.bytes());
      assertEquals(RecoveryReport.CutKind.ZEROED, cut.kind());
      assertEquals(expected(0, 4), drain(q, "t", "g"));
    }
  }

  @Test
  void aFlippedBitInTheMiddleIsRefusedWithTheFileAndPosition() throws IOException {
    Path segment = publishAndClose(5);
    long second = positionOfRecord(segment, 2);
    flipBit(segment, second + RecordFormat.MIN_FRAME);
    CorruptLogException e = assertThrows(CorruptLogException.class, this::open);
    assertEquals(segment, e.file());
    assertEquals(second, e.position());
    assertTrue(e.getMessage().contains(segment.toString()) && e.getMessage().contains("byte " + second),
        e.getMessage());
    try (SegmentedLogQueue q = open()) {
      throw new AssertionError("opened a corrupt log " + q);
    } catch (CorruptLogException again) {
      assertEquals(second, again.position(), "refused again, nothing was skipped silently");
    }
  }

  @Test
  void aFlippedLengthInTheMiddleIsSkippedAndDeadLetteredWhenConfigured() throws IOException {
    Path segment = publishAndClose(5);
    long second = positionOfRecord(segment, 2);
    flipBit(segment, second + 2);
    QueueConfig skip = config().corruptionPolicy(CorruptionPolicy.SKIP_AND_DEAD_LETTER).build();
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, skip)) {
      RecoveryReport.Corruption c = q.recoveryReport().corruptions().get(0);
      assertEquals(segment, c.file());
      assertEquals(second, c.position());
      assertEquals(2, c.firstOffset());
      assertEquals(1, c.count());
      assertEquals(List.of("m0", "m1", "m3", "m4"), drain(q, "t", "g"));
      List<Message> dead = q.poll("t.dlq", "ops", "c", 10, Duration.ZERO);
      assertEquals(1, dead.size());
      DeadLetter d = dead.get(0).deadLetter().orElseThrow();
      assertEquals("2", d.sourceId());
      assertTrue(d.reason().contains(segment.toString()) && d.reason().contains("byte " + second),
          d.reason());
      q.ackAll(dead);
    }
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, skip)) {
      assertTrue(q.recoveryReport().clean(), "repaired in place: " + q.recoveryReport());
      assertTrue(q.poll("t.dlq", "ops", "c", 10, Duration.ZERO).isEmpty(), "dead-lettered once");
    }
    try (SegmentedLogQueue q = open()) {
      assertTrue(q.recoveryReport().clean(), "a STOP queue opens the repaired log too");
    }
  }

  private static void flipBit(Path file, long position) throws IOException {
    byte[] b = Files.readAllBytes(file);
    b[(int) position] ^= 0x10;
    Files.write(file, b);
  }

  @Test
  void aSecondQueueOnTheSameDirectoryIsRefusedNamingTheHolder() {
    try (SegmentedLogQueue q = open()) {
      QueueLockedException e = assertThrows(QueueLockedException.class, this::open);
      assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
      assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
      q.publish("t", bytes("still works"));
    }
    try (SegmentedLogQueue q = open()) {
      assertEquals(List.of("still works"), drain(q, "t", "g"));
    }
  }

  @Test
  void aSegmentIsDeletedOnlyOnceEveryGroupHasAcknowledgedIt() throws IOException {
    QueueConfig small = config().segmentBytes(8192).build();
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, small)) {
      q.poll("t", "fast", "c", 1, Duration.ZERO);
      q.poll("t", "slow", "c", 1, Duration.ZERO);
      for (int i = 0; i < 300; i++) {
        q.publish("t", new byte[100]);
      }
      int before = segments().size();
      assertTrue(before >= 4, "several segments: " + before);
      assertEquals(300, drain(q, "t", "fast").size());
      assertEquals(before, segments().size(), "the slow group still needs them");
      assertEquals(300, drain(q, "t", "slow").size());
      assertEquals(1, segments().size(), "only the active segment is left");
    }
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, small)) {
      assertTrue(q.poll("t", "slow", "c", 10, Duration.ZERO).isEmpty());
      q.publish("t", bytes("next"));
      assertEquals(List.of("next"), drain(q, "t", "fast"));
    }
  }

  @Test
  void aFullDiskFailsThePublishClearlyAndLosesNothingAcknowledged() throws IOException {
    FailingFileIo disk = new FailingFileIo(1L << 20);
    QueueConfig small = config().segmentBytes(64 << 10).durability(Durability.NONE).build();
    List<String> published = new ArrayList<>();
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, small, disk)) {
      QueueException e = assertThrows(QueueException.class, () -> {
        for (int i = 0; ; i++) {
          q.publish("t", bytes("m" + i));
          published.add("m" + i);
        }
      });
      assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
      assertTrue(published.size() > 10_000, "published " + published.size());
      assertThrows(QueueException.class, () -> q.publish("t", bytes("again")));
    }
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, small)) {
      assertTrue(q.recoveryReport().corruptions().isEmpty(), q.recoveryReport().toString());
      assertEquals(published, drain(q, "t", "g"));
    }
  }

  @Test
  void aDirectoryThatCannotBeWrittenGivesAClearException() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
    QueueException e = assertThrows(QueueException.class,
        () -> SegmentedLogQueue.open(file.resolve("queue"), config().build()));
    assertTrue(e.getMessage().contains(file.resolve("queue").toString()), e.getMessage());
  }

  @Test
  void aDeliveryComesBackAfterTheVisibilityTimeoutWithin100MillisOnTheInjectedClock() {
    try (SegmentedLogQueue q = open()) {
      q.publish("t", bytes("x"));
      q.poll("t", "g", "c", 1, Duration.ZERO);
      clock.advance(Duration.ofSeconds(30).minusMillis(100));
      assertTrue(q.poll("t", "g", "c", 1, Duration.ZERO).isEmpty(), "100 ms before the timeout");
      clock.advance(Duration.ofMillis(200));
      assertEquals(2, q.poll("t", "g", "c", 1, Duration.ZERO).get(0).deliveryCount(),
          "100 ms after the timeout");
    }
  }

  @Test
  void groupCommitSharesOneFsyncAmongConcurrentPublishers() throws Exception {
    QueueConfig gc = config().durability(Durability.GROUP_COMMIT).build();
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, gc)) {
      Thread[] threads = new Thread[16];
      for (int i = 0; i < threads.length; i++) {
        threads[i] = new Thread(() -> {
          for (int j = 0; j < 100; j++) {
            q.publish("t", new byte[100]);
          }
        });
        threads[i].start();
      }
      for (Thread t : threads) {
        t.join();
      }
      QueueStats s = q.stats();
      assertEquals(1600, s.published());
      assertEquals(1600, s.fsyncRecords(), "every record was covered by an fsync");
      assertTrue(s.fsyncs() < 1600, "fsyncs were shared: " + s.fsyncs());
    }
  }

  @Test
  void fsyncPerPublishSyncsEveryPublish() {
    QueueConfig every = config().durability(Durability.EVERY_PUBLISH).build();
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, every)) {
      for (int i = 0; i < 50; i++) {
        q.publish("t", new byte[100]);
      }
      assertTrue(q.stats().fsyncs() >= 50, "fsyncs " + q.stats().fsyncs());
    }
  }

  @Test
  void theGroupJournalIsCompactedAndStillRestoresProgress() {
    QueueConfig none = config().durability(Durability.NONE).build();
    int n = 60_000;
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, none)) {
      List<byte[]> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        batch.add(bytes("m" + i));
      }
      q.publishAll("t", batch);
      for (int i = 0; i < n; i++) {
        List<Message> one = q.poll("t", "g", "c", 1, Duration.ZERO);
        if (i % 1000 != 7) {
          q.ack(one.get(0));
        }
      }
    }
    Path journal = dir.resolve("topics/t/groups/g.journal");
    assertTrue(journal.toFile().length() < FileGroupJournal.COMPACT_BYTES, "compacted");
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, none)) {
      List<Message> left = q.poll("t", "g", "c", 1000, Duration.ZERO);
      assertEquals(n / 1000, left.size());
      left.forEach(m -> assertEquals(7, Long.parseLong(m.id()) % 1000));
    }
  }

  @Test
  void anInterruptedAcknowledgementDoesNotBreakTheJournalForOtherThreads() {
    try (SegmentedLogQueue q = open()) {
      q.publishAll("t", List.of(bytes("a"), bytes("b")));
      List<Message> got = q.poll("t", "g", "c", 2, Duration.ZERO);
      Thread.currentThread().interrupt();
      q.ack(got.get(0));
      assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
      q.ack(got.get(1));
    }
    try (SegmentedLogQueue q = open()) {
      assertTrue(q.poll("t", "g", "c", 2, Duration.ZERO).isEmpty(), "both acknowledgements held");
    }
  }
}
