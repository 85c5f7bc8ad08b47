package io.scaleblocks.sharding;

import io.scaleblocks.config.Settings;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the celebrities: keys that take at least a given share of the last N accesses.
 *
 * <p>{@link #record} is the hot path: allocation-free, {@code O(1)} and lock-free. {@code record(key)}
 * hashes text, whole numbers and {@code byte[]} by content to 64 bits (murmur3); any other key by
 * its {@code hashCode}, so two such keys with one hash code count as one: pass a 64-bit hash with
 * {@link #record(Object, long)} (a router's {@link ShardRouter#hashOf}). When two threads record
 * at the same instant, one access is dropped rather than waited for ({@link #droppedAccesses()}),
 * which does not bias shares because drops do not depend on the key. Estimates come from a
 * count-min sketch over an exact sliding window of the last N recorded accesses, so a key is never
 * under-counted: every key that holds the share is reported, and a key is reported wrongly only
 * when sketch collisions push it over. {@link #hotKeys()} may be called from any thread; it only
 * reads (the sketch without locking, so it may miss the last few accesses). Listeners run on the
 * thread whose access completes a report interval, after its access is counted and outside the
 * detector's critical section, one report at a time; they should not block, and what they throw
 * (an {@link Error} too) is logged, never propagated into {@code record}, except a
 * {@link VirtualMachineError} other than a stack overflow (out of memory), which the VM cannot
 * recover from.
 *
 * @param <K> the key type
 */
public interface HotKeyDetector<K> {

  /** Counts one access to {@code key}. */
  void record(K key);

  /** Counts one access to {@code key} whose 64-bit hash is {@code keyHash}. */
  void record(K key, long keyHash);

  /** The keys at or above the share in the current window, hottest first. */
  List<HotKey<K>> hotKeys();

  /** The number of accesses the current window holds (at most the window size). */
  long windowCount();

  /** Accesses dropped because another thread was recording at the same instant. */
  long droppedAccesses();

  /** Called when a key becomes hot and when it cools down again. */
  interface Listener<K> {
    void becameHot(HotKey<K> hot);

    default void cooledDown(K key) {}
  }

  static <K> Builder<K> builder() {
    return new Builder<>();
  }

  /**
   * Configures a detector; every setter validates its argument. Also buildable from a map
   * ({@link #from}).
   */
  final class Builder<K> {
    public static final int DEFAULT_WINDOW = 100_000;
    public static final double DEFAULT_SHARE = 0.01;
    public static final int DEFAULT_REPORT_EVERY = 10_000;
    public static final int DEFAULT_SKETCH_WIDTH = 1 << 14;
    /**
     * The widest sketch row: each row indexes its counters with its own 16 bits of a key's hash,
     * so wider rows would add memory and no accuracy.
     */
    public static final int MAX_SKETCH_WIDTH = 1 << 16;

    int window = DEFAULT_WINDOW;
    double share = DEFAULT_SHARE;
    int reportEvery = DEFAULT_REPORT_EVERY;
    int sketchWidth = DEFAULT_SKETCH_WIDTH;
    Listener<K> listener;

    Builder() {}

    /** The sliding window: the last {@code accesses} recorded accesses. */
    public Builder<K> window(int accesses) {
      if (accesses <= 0) {
        throw new IllegalArgumentException("window must be > 0 but was " + accesses);
      }
      this.window = accesses;
      return this;
    }

    /** The share of the window that makes a key hot, in (0, 1]. */
    public Builder<K> share(double fraction) {
      if (!(fraction > 0 && fraction <= 1)) {
        throw new IllegalArgumentException("share must be in (0, 1] but was " + fraction);
      }
      this.share = fraction;
      return this;
    }

    /** How many accesses between two reports to the listener. */
    public Builder<K> reportEvery(int accesses) {
      if (accesses <= 0) {
        throw new IllegalArgumentException("reportEvery must be > 0 but was " + accesses);
      }
      this.reportEvery = accesses;
      return this;
    }

    /**
     * Counters per sketch row, a power of two from 16 to {@link #MAX_SKETCH_WIDTH}; estimates err
     * by about window / width.
     */
    public Builder<K> sketchWidth(int width) {
      if (width < 16 || width > MAX_SKETCH_WIDTH || Integer.bitCount(width) != 1) {
        throw new IllegalArgumentException("sketchWidth must be a power of two in 16.." + MAX_SKETCH_WIDTH
            + " but was " + width);
      }
      this.sketchWidth = width;
      return this;
    }

    public Builder<K> listener(Listener<K> hotKeyListener) {
      this.listener = Objects.requireNonNull(hotKeyListener, "listener must not be null");
      return this;
    }

    /**
     * Applies the settings present in {@code settings} by the {@link Settings} convention
     * (kebab-case keys matched relaxed, so {@code reportEvery} works too): {@code window}
     * (1..100000000), {@code share} (0 exclusive..1), {@code report-every} (1..100000000),
     * {@code sketch-width} (a power of two, 16..65536).
     *
     * @throws IllegalArgumentException naming the key for an unknown key or a bad value
     */
    public Builder<K> from(Map<String, ?> settings) {
      Settings s = Settings.of("hot-key-detector", settings);
      window(s.intValue("window", 1, 100_000_000, window));
      share(s.doubleValue("share", Double.MIN_VALUE, 1, share));
      reportEvery(s.intValue("report-every", 1, 100_000_000, reportEvery));
      sketchWidth(s.intValue("sketch-width", 16, MAX_SKETCH_WIDTH, sketchWidth));
      s.done();
      return this;
    }

    public HotKeyDetector<K> build() {
      return new SlidingCountMinDetector<>(this);
    }
  }
}
