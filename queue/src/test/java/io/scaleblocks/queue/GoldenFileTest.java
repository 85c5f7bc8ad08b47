package io.scaleblocks.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins the on-disk format of the README: the segment a known sequence of publishes writes must be,
 * byte for byte, {@code golden/orders-00000000000000000000.seg.hex} and
 * {@code golden/orders.dlq-00000000000000000000.seg.hex}, and a queue must read those files back.
 * A change of the format fails here first; it needs a new version number in the segment header.
 */
class GoldenFileTest {

  @TempDir Path dir;

  private static QueueConfig config(FakeClock clock) {
    return QueueConfig.builder().clock(clock).segmentBytes(1 << 16).maxMessageBytes(1024)
        .maxDeliveries(1).build();
  }

  /** Two messages, one of them dead-lettered after one delivery, then a clean close. */
  private static void writeKnownQueue(Path dir) {
    FakeClock clock = new FakeClock();
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, config(clock))) {
      q.publish("orders", "hello".getBytes(UTF_8));
      clock.advance(Duration.ofMillis(1));
      q.publish("orders", "world".getBytes(UTF_8));
      List<Message> got = q.poll("orders", "billing", "c", 2, Duration.ZERO);
      q.ack(got.get(0));
      q.nack(got.get(1), Duration.ZERO, "no such customer");
      q.poll("orders", "billing", "c", 2, Duration.ZERO);
    }
  }

  private static String hex(Path file) throws IOException {
    return HexFormat.of().formatHex(Files.readAllBytes(file));
  }

  private static String golden(String name) throws IOException {
    try (InputStream in = GoldenFileTest.class.getResourceAsStream("/golden/" + name + ".hex")) {
      return new String(in.readAllBytes(), UTF_8).replaceAll("\\s", "");
    }
  }

  @Test
  void theSegmentsWrittenAreTheGoldenFiles() throws IOException {
    writeKnownQueue(dir);
    String segment = "00000000000000000000.seg";
    assertEquals(golden("orders-" + segment), hex(dir.resolve("topics/orders").resolve(segment)));
    assertEquals(golden("orders.dlq-" + segment),
        hex(dir.resolve("topics/orders.dlq").resolve(segment)));
  }

  @Test
  void theGoldenFilesReadBack() throws IOException {
    String segment = "00000000000000000000.seg";
    for (String topic : List.of("orders", "orders.dlq")) {
      Path t = Files.createDirectories(dir.resolve("topics").resolve(topic));
      Files.write(t.resolve(segment), HexFormat.of().parseHex(golden(topic + "-" + segment)));
    }
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, config(new FakeClock()))) {
      assertTrue(q.recoveryReport().clean(), q.recoveryReport().toString());
      List<Message> orders = q.poll("orders", "fresh", "c", 10, Duration.ZERO);
      assertEquals(List.of("hello", "world"),
          orders.stream().map(m -> new String(m.payload(), UTF_8)).toList());
      assertEquals(1_700_000_000_001L, orders.get(1).timestampMillis());
      Message dead = q.poll("orders.dlq", "ops", "c", 10, Duration.ZERO).get(0);
      assertEquals("world", new String(dead.payload(), UTF_8));
      assertEquals(new DeadLetter("orders", "1", "billing", 1,
          "delivered 1 times (max deliveries 1), last: no such customer"), dead.deadLetter().get());
    }
  }

  /** Writes the golden files again: run by hand, after a deliberate format change only. */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    Path tmp = Files.createTempDirectory("golden");
    writeKnownQueue(tmp);
    String segment = "00000000000000000000.seg";
    for (String topic : List.of("orders", "orders.dlq")) {
      String h = hex(tmp.resolve("topics").resolve(topic).resolve(segment));
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < h.length(); i += 64) {
        lines.append(h, i, Math.min(h.length(), i + 64)).append('\n');
      }
      Files.writeString(out.resolve(topic + "-" + segment + ".hex"), lines);
    }
  }
}
