package io.scaleblocks.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attack on {@link SlidingCountMinDetector}: the README says {@code record(key)} hashes
 * {@code byte[]} keys "by content". The sketch does, but the candidate map is a
 * {@code ConcurrentHashMap<K, Long>} keyed by the array itself (identity equality), so the same
 * content recorded through fresh arrays becomes a new candidate each time the 256-slot candidate
 * cache misses.
 */
class HotKeyDetectorAttackTest {

  private static long cacheSlot(byte[] key) {
    return (Hashing.mix(SlidingCountMinDetector.keyHash(key)) | 1) & 255;
  }

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
