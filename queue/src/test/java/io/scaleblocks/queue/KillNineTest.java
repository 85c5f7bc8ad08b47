package io.scaleblocks.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process that publishes (synchronously, and asynchronously with publishes in flight) and
 * acknowledges with {@code kill -9} at random moments, over and over on one directory, and after
 * each kill checks the file log: every publish that returned, and every async publish whose future
 * completed, is there with its payload intact (an audit group reads every message), no id was given twice, no
 * corrupt record is delivered, and no acknowledgement that returned is undone (an acknowledged
 * message is never delivered again). 100 kills by default; {@code -Dscaleblocks.long=true} runs
 * 1,000 (or {@code -Dscaleblocks.queue.kills=N}).
 */
class KillNineTest {

  @TempDir Path dir;

  private final Map<String, String> published = new HashMap<>();
  private final Set<String> acked = new HashSet<>();
  private final Map<String, String> audited = new HashMap<>();
  private long deliveries;
  private long redeliveries;
  private long cuts;

  @Test
  void noReturnedPublishIsLostAndNoAcknowledgementUndoneAcrossKills() throws Exception {
    int kills = Integer.getInteger("scaleblocks.queue.kills",
        Boolean.getBoolean("scaleblocks.long") ? 1000 : 100);
    Random random = new Random(18);
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, CrashChild.config())) {
      q.poll("jobs", "audit", "auditor", 1, Duration.ZERO);
    }
    for (int i = 0; i < kills; i++) {
      runAndKill("L" + i, 5 + random.nextInt(60), i == 0);
      audit();
    }
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, CrashChild.config())) {
      List<Message> got;
      while (!(got = q.poll("jobs", "workers", "final", 500, Duration.ZERO)).isEmpty()) {
        for (Message m : got) {
          assertTrue(!acked.contains(m.id()), "acknowledged message " + m.id() + " delivered again");
        }
        q.ackAll(got);
      }
    }
    assertTrue(published.size() > kills * 3L, "published " + published.size());
    long async = published.values().stream().filter(k -> k.contains("-a-")).count();
    assertTrue(async > kills, "async publishes completed " + async);
    assertTrue(acked.size() > kills, "acked " + acked.size());
    System.out.printf("kill -9: %d kills, %d publishes returned (%d of them async), %d acks"
        + " returned, %d deliveries (%d redeliveries), %d tails cut, 0 lost, 0 corrupt,"
        + " 0 acknowledged redelivered%n",
        kills, published.size(), async, acked.size(), deliveries, redeliveries, cuts);
  }

  private static final ThreadLocal<String> DIR = new ThreadLocal<>();

  private void runAndKill(String life, int runMillis, boolean checkLock) throws Exception {
    DIR.set(dir.toString());
    Process p = new ProcessBuilder(javaCommand(life)).redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the pipe ends with the process
      }
      lines.add("EOF");
    });
    reader.start();
    String ready = lines.poll(60, TimeUnit.SECONDS);
    assertNotNull(ready, "child " + life + " did not start");
    assertTrue(ready.startsWith("R "), "child " + life + " said " + ready);
    if (checkLock) {
      QueueLockedException e = assertThrows(QueueLockedException.class,
          () -> SegmentedLogQueue.open(dir, CrashChild.config()));
      assertTrue(e.getMessage().contains("pid " + ready.substring(2)), e.getMessage());
    }
    // The random run starts at the child's first returned publish, not at its start: on a loaded
    // machine a fresh JVM can spend the whole window loading classes and publish nothing.
    List<String> all = new ArrayList<>();
    String seen;
    do {
      seen = lines.poll(60, TimeUnit.SECONDS);
      assertNotNull(seen, "child " + life + " published nothing within 60 s");
      all.add(seen);
    } while (!seen.startsWith("P ") && !seen.equals("EOF"));
    Thread.sleep(runMillis);
    p.destroyForcibly();
    assertEquals(137, p.waitFor(), "killed by SIGKILL");
    reader.join();
    lines.drainTo(all);
    for (String line : all) {
      check(life, line);
    }
  }

  private void check(String life, String line) {
    String[] f = line.split(" ");
    switch (f[0]) {
      case "P" -> {
        String earlier = published.put(f[1], f[2]);
        if (earlier != null && !earlier.equals(f[2])) {
          fail("id " + f[1] + " returned for " + earlier + " and again for " + f[2]
              + " (in " + life + "): the first was lost");
        }
      }
      case "D" -> {
        deliveries++;
        if (Integer.parseInt(f[2]) > 1) {
          redeliveries++;
        }
        assertTrue(!acked.contains(f[1]), "acknowledged message " + f[1] + " delivered again in " + life);
      }
      case "A" -> acked.add(f[1]);
      case "X" -> fail("corrupt payload delivered in " + life + ": " + line);
      case "EOF" -> { }
      default -> fail("unexpected line from " + life + ": " + line);
    }
  }

  private void audit() {
    try (SegmentedLogQueue q = SegmentedLogQueue.open(dir, CrashChild.config())) {
      RecoveryReport report = q.recoveryReport();
      assertTrue(report.corruptions().isEmpty(), report.toString());
      cuts += report.cuts().size();
      List<Message> got;
      while (!(got = q.poll("jobs", "audit", "auditor", 1000, Duration.ZERO)).isEmpty()) {
        for (Message m : got) {
          String key = CrashChild.keyOf(m.payload());
          assertNotNull(key, "corrupt payload delivered: " + m);
          audited.put(m.id(), key);
        }
        q.ackAll(got);
      }
    }
    published.forEach((id, key) -> assertEquals(key, audited.get(id),
        "published message " + id + " (" + key + ") lost"));
  }

  private static List<String> javaCommand(String life) {
    String classPath = System.getProperty("java.class.path");
    String modulePath = System.getProperty("jdk.module.path");
    if (modulePath != null && !modulePath.isEmpty()) {
      classPath = modulePath + File.pathSeparator + classPath;
    }
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx128m", "-cp", classPath,
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", CrashChild.class.getName(),
        DIR.get(), life);
  }
}
