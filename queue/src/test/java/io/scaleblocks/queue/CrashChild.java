package io.scaleblocks.queue;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;

/**
 * The process that {@link KillNineTest} kills: it publishes from three threads (two calling
 * {@code publish}/{@code publishAll}, one {@code publishAsync}/{@code publishAllAsync} with up to 32
 * messages in flight) and consumes and acknowledges from two, and prints what has happened, each line after the call it reports has
 * returned (for an async publish: after its future completed): {@code P id payload-key} (published), {@code D id count} (delivered), {@code A id}
 * (acknowledged), {@code X id} (a payload that fails its check). A line lost in the kill only
 * means a claim that is not checked.
 */
final class CrashChild {

  private static final Object OUT_LOCK = new Object();
  private static BufferedWriter out;

  private CrashChild() {}

  static QueueConfig config() {
    return QueueConfig.builder().name("crash").durability(Durability.GROUP_COMMIT)
        .segmentBytes(128 << 10).maxMessageBytes(4096).visibilityTimeout(Duration.ofMinutes(5))
        .build();
  }

  /** A payload that carries its own checksum, of a length that depends on its key. */
  static byte[] payload(String key) {
    StringBuilder b = new StringBuilder(key).append('|');
    int pad = Math.floorMod(key.hashCode(), 200);
    for (int i = 0; i < pad; i++) {
      b.append((char) ('a' + (key.charAt(i % key.length()) + i) % 26));
    }
    byte[] body = b.toString().getBytes(UTF_8);
    CRC32C crc = new CRC32C();
    crc.update(body);
    return (b + "|" + Long.toHexString(crc.getValue())).getBytes(UTF_8);
  }

  /** The key of an intact payload, or {@code null}. */
  static String keyOf(byte[] payload) {
    String s = new String(payload, UTF_8);
    int last = s.lastIndexOf('|');
    if (last < 0) {
      return null;
    }
    CRC32C crc = new CRC32C();
    crc.update(s.substring(0, last).getBytes(UTF_8));
    if (!Long.toHexString(crc.getValue()).equals(s.substring(last + 1))) {
      return null;
    }
    String key = s.substring(0, s.indexOf('|'));
    return java.util.Arrays.equals(payload(key), payload) ? key : null;
  }

  static void print(String line) {
    synchronized (OUT_LOCK) {
      try {
        out.write(line);
        out.write('\n');
        out.flush();
      } catch (IOException e) {
        System.exit(3);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    out = new BufferedWriter(new OutputStreamWriter(System.out, UTF_8), 1 << 16);
    Path dir = Path.of(args[0]);
    String life = args[1];
    SegmentedLogQueue q = SegmentedLogQueue.open(dir, config());
    print("R " + ProcessHandle.current().pid());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      String prefix = life + "-" + t + "-";
      threads.add(new Thread(() -> produce(q, prefix)));
    }
    threads.add(new Thread(() -> produceAsync(q, life + "-a-")));
    for (int t = 0; t < 2; t++) {
      long seed = life.hashCode() * 31L + t;
      threads.add(new Thread(() -> consume(q, new Random(seed))));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
  }

  private static void produce(MessageQueue q, String prefix) {
    for (int i = 0; ; i += 3) {
      if (i % 2 == 0) {
        String id = q.publish("jobs", payload(prefix + i));
        print("P " + id + " " + prefix + i);
      } else {
        List<String> keys = List.of(prefix + i, prefix + (i + 1), prefix + (i + 2));
        List<String> ids = q.publishAll("jobs", keys.stream().map(CrashChild::payload).toList());
        for (int k = 0; k < 3; k++) {
          print("P " + ids.get(k) + " " + keys.get(k));
        }
      }
    }
  }

  private record InFlight(CompletableFuture<List<String>> ids, List<String> keys) {}

  /** Keeps up to 32 messages in flight; prints a message's line once its future completed. */
  private static void produceAsync(MessageQueue q, String prefix) {
    ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    int messages = 0;
    for (int i = 0; ; i += 3) {
      InFlight f;
      if (i % 2 == 0) {
        String key = prefix + i;
        f = new InFlight(q.publishAsync("jobs", payload(key)).thenApply(id -> List.of(id)),
            List.of(key));
      } else {
        List<String> keys = List.of(prefix + i, prefix + (i + 1), prefix + (i + 2));
        f = new InFlight(q.publishAllAsync("jobs", keys.stream().map(CrashChild::payload).toList()),
            keys);
      }
      inFlight.add(f);
      messages += f.keys().size();
      while (messages > 32) {
        InFlight oldest = inFlight.poll();
        List<String> ids = oldest.ids().join();
        for (int k = 0; k < ids.size(); k++) {
          print("P " + ids.get(k) + " " + oldest.keys().get(k));
        }
        messages -= ids.size();
      }
    }
  }

  private static void consume(MessageQueue q, Random random) {
    while (true) {
      List<Message> got = q.poll("jobs", "workers", "c", 20, Duration.ofMillis(20));
      List<Message> ok = new ArrayList<>();
      for (Message m : got) {
        print((keyOf(m.payload()) == null ? "X " : "D ") + m.id() + " " + m.deliveryCount());
        if (random.nextInt(10) == 0) {
          q.nack(m, Duration.ZERO);
        } else {
          ok.add(m);
        }
      }
      q.ackAll(ok);
      for (Message m : ok) {
        print("A " + m.id());
      }
    }
  }
}
