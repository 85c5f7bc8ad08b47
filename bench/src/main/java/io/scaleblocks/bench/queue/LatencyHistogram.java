package io.scaleblocks.bench.queue;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies in nanoseconds, recorded from any thread without a lock, read as percentiles with a
 * relative error under 1/64 (about 1.6 %): values are bucketed by their highest set bit and the
 * next six bits, as HdrHistogram does with two significant digits. Small, so the bench jar needs
 * no histogram library.
 */
final class LatencyHistogram {

  private static final int SUB_BITS = 6;
  private static final int SUB = 1 << SUB_BITS;
  private final AtomicLongArray counts = new AtomicLongArray(64 * SUB);

  void record(long nanos) {
    counts.incrementAndGet(index(Math.max(0, nanos)));
  }

  static int index(long v) {
    if (v < SUB) {
      return (int) v;
    }
    int high = 63 - Long.numberOfLeadingZeros(v);
    int shift = high - SUB_BITS;
    return (shift + 1) * SUB + (int) ((v >>> shift) - SUB);
  }

  /** The smallest value of bucket {@code i}'s range. */
  static long lowest(int i) {
    if (i < SUB) {
      return i;
    }
    int shift = i / SUB - 1;
    return (long) (SUB + i % SUB) << shift;
  }

  long count() {
    long n = 0;
    for (int i = 0; i < counts.length(); i++) {
      n += counts.get(i);
    }
    return n;
  }

  /** The value at quantile {@code q} (0 to 1) in nanoseconds, 0 when empty. */
  long percentile(double q) {
    long total = count();
    if (total == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < counts.length(); i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return lowest(i);
      }
    }
    return lowest(counts.length() - 1);
  }

  /** Adds {@code other}'s counts to this one's. */
  void add(LatencyHistogram other) {
    for (int i = 0; i < counts.length(); i++) {
      counts.addAndGet(i, other.counts.get(i));
    }
  }

  void reset() {
    for (int i = 0; i < counts.length(); i++) {
      counts.set(i, 0);
    }
  }
}
