package io.scaleblocks.sharding;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the celebrities: keys that take at least a given share of the last N accesses.
 *
 * <p>{@link #record} is the hot path: allocation-free (the key's {@code hashCode} is used; a
 * caller with a better 64-bit hash passes it), {@code O(1)} and lock-free. Estimates come from a
 * count-min sketch over an exact sliding window, so a key is never under-counted except by
 * increments lost to a race between threads recording at the same instant; a key that holds the
 * share is reported, and a key is reported wrongly only when sketch collisions push it over.
 * Listeners run on the thread whose access completes a report interval, off every other thread's
 * path; they must not block.
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

  /** Called when a key becomes hot and when it cools down again. */
  interface Listener<K> {
    void becameHot(HotKey<K> hot);

    default void cooledDown(K key) {}
  }

  static <K> Builder<K> builder() {
    return new Builder<>();
  }

  /**
   * Configures a detector; every setter validates its argument. Also buildable from a map of
   * {@code window}, {@code share}, {@code reportEvery}, {@code sketchWidth}.
   */
  final class Builder<K> {
    public static final int DEFAULT_WINDOW = 100_000;
    public static final double DEFAULT_SHARE = 0.01;
    public static final int DEFAULT_REPORT_EVERY = 10_000;
    public static final int DEFAULT_SKETCH_WIDTH = 1 << 14;

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

    /** Counters per sketch row, a power of two; estimates err by about window / width. */
    public Builder<K> sketchWidth(int width) {
      if (width < 16 || Integer.bitCount(width) != 1) {
        throw new IllegalArgumentException("sketchWidth must be a power of two >= 16 but was " + width);
      }
      this.sketchWidth = width;
      return this;
    }

    public Builder<K> listener(Listener<K> hotKeyListener) {
      this.listener = Objects.requireNonNull(hotKeyListener, "listener must not be null");
      return this;
    }

    /** Applies the settings present in {@code settings}. */
    public Builder<K> from(Map<String, String> settings) {
      Objects.requireNonNull(settings, "settings must not be null");
      if (settings.containsKey("window")) {
        window(Integer.parseInt(settings.get("window").trim()));
      }
      if (settings.containsKey("share")) {
        share(Double.parseDouble(settings.get("share").trim()));
      }
      if (settings.containsKey("reportEvery")) {
        reportEvery(Integer.parseInt(settings.get("reportEvery").trim()));
      }
      if (settings.containsKey("sketchWidth")) {
        sketchWidth(Integer.parseInt(settings.get("sketchWidth").trim()));
      }
      return this;
    }

    public HotKeyDetector<K> build() {
      return new SlidingCountMinDetector<>(this);
    }
  }
}
