package io.scaleblocks.cache;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link System#nanoTime()} sampled every 10 ms by one shared daemon thread, so that a cache hit
 * can check its TTL with a volatile read instead of a clock call (which costs more than the rest
 * of a hit). TTLs and early refresh need no finer resolution; loads are timed on the precise
 * clock. The thread starts the first time a cache uses this ticker.
 *
 * <p>The period is a trade: every wake-up of the thread takes a core from whatever runs there.
 * Sampling every millisecond cost the hit path 5 to 8% of its throughput in single runs with
 * two reader threads on two cores ({@code CacheBenchmark}); every 10 ms, nothing measurable.
 */
final class CoarseTicker {

  static final long RESOLUTION_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private static volatile long now = System.nanoTime();

  static {
    Thread thread = new Thread(() -> {
      while (true) {
        now = System.nanoTime();
        LockSupport.parkNanos(RESOLUTION_NANOS);
      }
    }, "scaleblocks-cache-ticker");
    thread.setDaemon(true);
    thread.start();
  }

  private CoarseTicker() {}

  static long read() {
    return now;
  }
}
