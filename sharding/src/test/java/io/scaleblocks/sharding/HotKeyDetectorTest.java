package io.scaleblocks.sharding;

import static io.scaleblocks.sharding.PlacementContractTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HotKeyDetectorTest {

  /** Zipf(s) over ranks 1..n by inverse transform of the exact CDF, seeded. */
  static final class Zipf {
    private final double[] cdf;
    private final SplittableRandom random;

    Zipf(int n, double s, long seed) {
      cdf = new double[n];
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += 1 / Math.pow(i + 1, s);
        cdf[i] = sum;
      }
      for (int i = 0; i < n; i++) {
        cdf[i] /= sum;
      }
      random = new SplittableRandom(seed);
    }

    int next() {
      int i = Arrays.binarySearch(cdf, random.nextDouble());
      return i >= 0 ? i : -i - 1;
    }
  }

  @Test
  void reportsEveryKeyAboveOnePercentOfAZipfWindowWithFewFalsePositives() {
    int keys = 1_000_000;
    int window = 100_000;
    int accesses = 1_000_000;
    Zipf zipf = new Zipf(keys, 1.0, 2024);
    HotKeyDetector<Integer> detector = HotKeyDetector.<Integer>builder()
        .window(window).share(0.01).build();
    int[] recent = new int[window];
    int[] exact = new int[keys];
    int truePositives = 0;
    int falsePositives = 0;
    int missed = 0;
    for (int i = 0; i < accesses; i++) {
      int key = zipf.next();
      if (i >= window) {
        exact[recent[i % window]]--;
      }
      recent[i % window] = key;
      exact[key]++;
      detector.record(key);
      if (i >= window && (i + 1) % 10_000 == 0) {
        Set<Integer> reported = new HashSet<>();
        detector.hotKeys().forEach(h -> reported.add(h.key()));
        int threshold = window / 100;
        Set<Integer> truth = new HashSet<>();
        for (int k = 0; k < 50; k++) {
          if (exact[k] >= threshold) {
            truth.add(k);
          }
        }
        for (int k : reported) {
          if (truth.contains(k)) {
            truePositives++;
          } else {
            falsePositives++;
          }
        }
        for (int k : truth) {
          if (!reported.contains(k)) {
            missed++;
          }
        }
      }
    }
    double recall = (double) truePositives / (truePositives + missed);
    double falsePositiveRate = (double) falsePositives / (truePositives + falsePositives);
    assertTrue(truePositives > 0);
    assertTrue(recall >= 0.99, "recall " + recall);
    assertTrue(falsePositiveRate <= 0.01, "false positives " + falsePositiveRate);
    System.out.printf("hot keys: recall %.4f, false positives %.4f over %d reports%n",
        recall, falsePositiveRate, truePositives + falsePositives);
  }

  @Test
  void listenersHearWhenAKeyTurnsHotAndWhenItCools() {
    List<String> events = new ArrayList<>();
    HotKeyDetector<String> detector = HotKeyDetector.<String>builder()
        .window(1_000).share(0.2).reportEvery(100)
        .listener(new HotKeyDetector.Listener<>() {
          @Override
          public void becameHot(HotKey<String> hot) {
            events.add("hot " + hot.key());
          }

          @Override
          public void cooledDown(String key) {
            events.add("cool " + key);
          }
        })
        .build();
    for (int i = 0; i < 1_000; i++) {
      detector.record(i % 2 == 0 ? "celebrity" : "fan-" + i);
    }
    assertEquals(List.of("hot celebrity"), events);
    assertEquals("celebrity", detector.hotKeys().get(0).key());
    assertEquals(500, detector.hotKeys().get(0).count());
    for (int i = 0; i < 1_000; i++) {
      detector.record("fan-" + (i + 1_000));
    }
    assertEquals(List.of("hot celebrity", "cool celebrity"), events);
    assertTrue(detector.hotKeys().isEmpty());
    assertEquals(1_000, detector.windowCount());
  }

  @Test
  void aHotKeyCanBePinnedToItsOwnShard() {
    ShardRouter<String, String> router = ShardRouter.<String, String>builder()
        .shard("s0", "db0").shard("s1", "db1").shard("s2", "db2").build();
    HotKeyDetector<String> detector = HotKeyDetector.<String>builder()
        .window(1_000).share(0.1).reportEvery(500)
        .listener(HotKeyActions.pinTo(router, "s2"))
        .build();
    String celebrity = "user:" + IntStream.range(0, 100)
        .filter(i -> !router.shardFor("user:" + i).id().equals("s2")).findFirst().getAsInt();
    for (int i = 0; i < 1_000; i++) {
      detector.record(i % 3 == 0 ? celebrity : "user:" + (1_000 + i));
    }
    assertEquals("s2", router.shardFor(celebrity).id());
  }

  @Test
  void readsOfAHotKeySpreadOverItsCopies() {
    HotKeyActions.ReadSpreader<String> spreader = HotKeyActions.spreadReads(4, new SplittableRandom(1)::nextInt);
    spreader.becameHot(new HotKey<>("celebrity", 10, 0.5));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      seen.add(spreader.readKey("celebrity"));
    }
    assertEquals(Set.of("celebrity#0", "celebrity#1", "celebrity#2", "celebrity#3"), seen);
    assertEquals(List.of("celebrity#0", "celebrity#1", "celebrity#2", "celebrity#3"), spreader.writeKeys("celebrity"));
    assertEquals("plain", spreader.readKey("plain"));
    assertEquals(List.of("plain"), spreader.writeKeys("plain"));
    spreader.cooledDown("celebrity");
    assertEquals("celebrity", spreader.readKey("celebrity"));
  }

  @Test
  void badSettingsAreRejectedNamingTheValue() {
    assertMessage(IllegalArgumentException.class, "window must be > 0 but was 0",
        () -> HotKeyDetector.builder().window(0));
    assertMessage(IllegalArgumentException.class, "share must be in (0, 1] but was 1.5",
        () -> HotKeyDetector.builder().share(1.5));
    assertMessage(IllegalArgumentException.class, "sketchWidth must be a power of two in 16..65536 but was 1000",
        () -> HotKeyDetector.builder().from(Map.of("sketchWidth", "1000")));
    assertMessage(NullPointerException.class, "key must not be null",
        () -> HotKeyDetector.builder().build().record(null));
  }

  @Test
  void concurrentRecordersDropRatherThanCorruptAndTheHotKeyStillShows() throws Exception {
    HotKeyDetector<String> detector = HotKeyDetector.<String>builder().window(10_000).share(0.2).build();
    int threads = 4;
    int perThread = 50_000;
    Thread[] recorders = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int id = t;
      recorders[t] = new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          detector.record(i % 3 == 0 ? "celebrity" : "fan-" + id + "-" + (i % 5_000));
        }
      });
      recorders[t].start();
    }
    for (Thread recorder : recorders) {
      recorder.join();
    }
    assertEquals(10_000, detector.windowCount());
    assertTrue(detector.droppedAccesses() >= 0 && detector.droppedAccesses() < (long) threads * perThread);
    List<HotKey<String>> hot = detector.hotKeys();
    assertEquals(1, hot.size(), hot.toString());
    assertEquals("celebrity", hot.get(0).key());
    assertTrue(hot.get(0).share() > 0.25 && hot.get(0).share() < 0.42, hot.toString());
  }

  @Test
  void settingsFollowTheKebabCaseConventionAndRefuseUnknownKeysAndOutOfRangeValues() {
    HotKeyDetector<String> detector = HotKeyDetector.<String>builder()
        .from(Map.of("window", "1000", "share", "0.25", "report-every", "10", "sketch-width", 64)).build();
    for (int i = 0; i < 1_000; i++) {
      detector.record(i % 2 == 0 ? "celebrity" : "fan-" + i);
    }
    assertEquals(1_000, detector.windowCount());
    assertEquals(List.of("celebrity"), detector.hotKeys().stream().map(HotKey::key).toList());
    HotKeyDetector.builder().from(Map.of("reportEvery", "5", "sketchWidth", "32"));
    assertMessage(IllegalArgumentException.class, "'windw'",
        () -> HotKeyDetector.builder().from(Map.of("windw", "10")));
    assertMessage(IllegalArgumentException.class, "'window' must be between 1 and 100000000 but was '0'",
        () -> HotKeyDetector.builder().from(Map.of("window", "0")));
    assertMessage(IllegalArgumentException.class, "'report-every'",
        () -> HotKeyDetector.builder().from(Map.of("report-every", "4294967296")));
  }

  private static long cacheSlot(byte[] key) {
    return (Hashing.mix(SlidingCountMinDetector.keyHash(key)) | 1) & 255;
  }

  /**
   * {@code byte[]} keys are counted by content: the same content recorded through fresh arrays is
   * one candidate, even when the candidate cache slot of another hot key collides with it.
   */
  @Test
  void twoHotByteArrayKeysAreReportedOnceEach() {
    byte[] a = "hot-a".getBytes(StandardCharsets.UTF_8);
    byte[] b = null;
    for (int i = 0; b == null; i++) {
      byte[] candidate = ("hot-b-" + i).getBytes(StandardCharsets.UTF_8);
      if (cacheSlot(candidate) == cacheSlot(a)) {
        b = candidate;
      }
    }
    HotKeyDetector<byte[]> detector = HotKeyDetector.<byte[]>builder().window(1_000).share(0.2)
        .reportEvery(1_000_000).build();
    for (int i = 0; i < 2_000; i++) {
      // A request handler receives the key as a fresh array each time.
      detector.record(a.clone());
      detector.record(b.clone());
    }
    List<HotKey<byte[]>> hot = detector.hotKeys();
    assertEquals(2, hot.size(), "two hot keys by content, but hotKeys() returned " + hot.size()
        + " entries (every access added one more candidate)");
  }

  /**
   * A server that reads each key into one reused buffer records that same array every time, with
   * other contents: the hot key reported must be the key that was hot, not whatever the buffer
   * holds by the time {@code hotKeys()} is called.
   */
  @Test
  void aHotByteArrayKeyRecordedFromAReusedBufferIsReportedWithTheContentThatWasHot() {
    byte[] hot = "hot-a".getBytes(StandardCharsets.UTF_8);
    byte[] buffer = new byte[hot.length];
    HotKeyDetector<byte[]> detector = HotKeyDetector.<byte[]>builder().window(1_000).share(0.2)
        .reportEvery(1_000_000).build();
    for (int i = 0; i < 2_000; i++) {
      System.arraycopy(hot, 0, buffer, 0, hot.length);
      detector.record(buffer);
      byte[] cold = String.format("c%04d", i).getBytes(StandardCharsets.UTF_8);
      System.arraycopy(cold, 0, buffer, 0, cold.length);
      detector.record(buffer);
    }
    List<String> reported = detector.hotKeys().stream()
        .map(k -> new String(k.key(), StandardCharsets.UTF_8)).toList();
    assertEquals(List.of("hot-a"), reported);
  }

  /**
   * The README's knob table accepts {@code sketch-width} "power of two, 16..2^30" and the builder
   * takes any power of two from 16. The sketch is {@code new int[4 << log2(width)]}: at 2^30 that
   * is {@code 4 << 30 == 0}, an empty sketch, and the first {@code record} throws
   * ArrayIndexOutOfBoundsException; at 2^29 ({@code 4 << 29 < 0}) the build throws
   * NegativeArraySizeException. A width the detector cannot hold must be refused, naming it.
   */
  @Test
  void everyAcceptedSketchWidthEitherWorksOrIsRefusedByName() {
    for (int width : new int[] {1 << 29, 1 << 30}) {
      HotKeyDetector<String> detector;
      try {
        detector = HotKeyDetector.<String>builder().from(java.util.Map.of("sketch-width", width)).build();
      } catch (IllegalArgumentException refused) {
        continue;
      } catch (RuntimeException e) {
        throw new AssertionError("sketch-width " + width + " was accepted, then build() threw " + e, e);
      }
      try {
        detector.record("k");
      } catch (RuntimeException e) {
        throw new AssertionError("sketch-width " + width + " was accepted and built, then record() threw " + e, e);
      }
    }
  }

  /**
   * The README: "what they [listeners] throw is logged, never thrown into {@code record}". The
   * detector catches only RuntimeException: an Error from a listener (an AssertionError, a
   * NoClassDefFoundError of a lazily loaded alerting client, a StackOverflowError) is thrown into
   * the application's {@code record} call.
   */
  @Test
  void aListenerThatThrowsAnErrorDoesNotThrowIntoRecord() {
    HotKeyDetector<String> detector = HotKeyDetector.<String>builder().window(100).share(0.5).reportEvery(10)
        .listener(hot -> {
          throw new NoClassDefFoundError("io/example/alerts/Pager (injected)");
        }).build();
    for (int i = 0; i < 100; i++) {
      try {
        detector.record("celebrity");
      } catch (Throwable e) {
        throw new AssertionError("record() threw the listener's " + e + " at access " + (i + 1), e);
      }
    }
  }
}
