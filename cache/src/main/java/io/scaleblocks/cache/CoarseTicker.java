package io.scaleblocks.cache;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link System#nanoTime()} sampled every millisecond by one shared daemon thread, so that a
 * cache hit can check its TTL with a volatile read instead of a clock call (which costs more
 * than the rest of a hit). TTLs and refresh decisions need millisecond, not nanosecond,
 * resolution. The thread starts the first time a cache uses this ticker.
 */
final class CoarseTicker {

  static final long RESOLUTION_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

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
