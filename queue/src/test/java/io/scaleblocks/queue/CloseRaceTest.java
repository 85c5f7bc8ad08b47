package io.scaleblocks.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishers racing close: whatever was reported published must be there after reopening. */
class CloseRaceTest {

  @TempDir Path dir;

  @Test
  void noPublishReportedDurableWhileTheQueueClosesIsMissingAfterReopening() throws Exception {
    for (Durability durability : List.of(Durability.INTERVAL, Durability.GROUP_COMMIT)) {
      for (int round = 0; round < 30; round++) {
        Path d = dir.resolve(durability + "-" + round);
        QueueConfig config = QueueConfig.builder().clock(new FakeClock()).segmentBytes(1 << 16)
            .maxMessageBytes(1024).durability(durability).build();
        Set<String> published = ConcurrentHashMap.newKeySet();
        SegmentedLogQueue q = SegmentedLogQueue.open(d, config);
        CountDownLatch started = new CountDownLatch(4);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
          int producer = p;
          Thread t = new Thread(() -> {
            started.countDown();
            try {
              for (int i = 0; ; i++) {
                String text = producer + "-" + i;
                if (producer % 2 == 0) {
                  q.publish("t", text.getBytes(UTF_8));
                  published.add(text);
                } else {
                  CompletableFuture<String> f = q.publishAsync("t", text.getBytes(UTF_8));
                  f.thenRun(() -> published.add(text));
                }
              }
            } catch (RuntimeException | Error e) {
              // closed
            }
          });
          threads.add(t);
          t.start();
        }
        started.await();
        q.publish("t", "first".getBytes(UTF_8));
        q.close();
        for (Thread t : threads) {
          t.join(TimeUnit.SECONDS.toMillis(30));
        }
        Set<String> found = ConcurrentHashMap.newKeySet();
        try (SegmentedLogQueue reopened = SegmentedLogQueue.open(d, config)) {
          List<Message> got;
          while (!(got = reopened.poll("t", "g", "c", 1000, Duration.ZERO)).isEmpty()) {
            got.forEach(m -> found.add(new String(m.payload(), UTF_8)));
            reopened.ackAll(got);
          }
        }
        Set<String> lost = new java.util.TreeSet<>(published);
        lost.removeAll(found);
        assertTrue(lost.isEmpty(), durability + " round " + round + ": reported published, then"
            + " missing after reopening: " + lost);
      }
    }
  }
}
