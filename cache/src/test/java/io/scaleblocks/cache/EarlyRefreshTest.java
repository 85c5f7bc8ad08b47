package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A hot key read every millisecond with a loader that takes 100 ms: XFetch refreshes it shortly
 * before each expiry, so after the first load no read misses and there is about one load per TTL.
 */
class EarlyRefreshTest {

  private static final Duration TTL = Duration.ofSeconds(10);
  private static final int PERIODS = 200;

  private final FakeTime time = new FakeTime();
  private final AtomicInteger loads = new AtomicInteger();

  private CacheAside<String, Integer> cache(double beta) {
    return CacheAside.<String, Integer>builder(key -> {
      time.advance(Duration.ofMillis(100));
      return Optional.of(loads.incrementAndGet());
    }).ttl(TTL).ttlJitter(0).earlyRefresh(beta).refreshExecutor(Runnable::run)
        .ticker(time::nanoTime).clock(time).recordStats().build();
  }

  private void readContinuously(CacheAside<String, Integer> cache) {
    long end = time.nanoTime() + TTL.toNanos() * PERIODS;
    while (time.nanoTime() < end) {
      cache.get("hot");
      time.advance(Duration.ofMillis(1));
    }
  }

  @Test
  void aHotKeyIsRefreshedAboutOncePerTtlAndNoReadMissesAfterWarmUp() {
    CacheAside<String, Integer> cache = cache(1.0);
    cache.get("hot");
    readContinuously(cache);
    double loadsPerPeriod = (loads.get() - 1) / (double) PERIODS;
    System.out.printf("early refresh: %.3f loads per TTL period, %d misses%n", loadsPerPeriod, cache.stats().misses());
    assertTrue(loadsPerPeriod <= 1.1, "loads per TTL period: " + loadsPerPeriod);
    assertTrue(loadsPerPeriod >= 1.0, "loads per TTL period: " + loadsPerPeriod);
    assertEquals(1, cache.stats().misses(), "only the very first read may miss");
  }

  /**
   * XFetch's lead is proportional to how long the load took. The default ticker, which a hit
   * reads, moves in 10 ms steps, so a 3 ms load timed on it would take 0 or 10 ms; loads are
   * timed on the precise clock instead.
   */
  @Test
  void withTheDefaultTickerAFastLoadIsTimedPrecisely() {
    CacheAside<String, Integer> cache = CacheAside.<String, Integer>builder(key -> {
      Thread.sleep(3);
      return Optional.of(1);
    }).recordStats().build();
    long start = System.nanoTime();
    cache.get("key");
    long outside = System.nanoTime() - start;
    long took = cache.stats().totalLoadNanos();
    assertTrue(took >= Duration.ofMillis(3).toNanos() && took <= outside,
        "a 3 ms load timed as " + took + " ns, the call around it took " + outside + " ns");
  }

  @Test
  void withoutEarlyRefreshEveryExpiryMakesAReaderWaitForTheLoad() {
    CacheAside<String, Integer> cache = cache(0);
    cache.get("hot");
    readContinuously(cache);
    assertTrue(cache.stats().misses() >= PERIODS * 9 / 10, "misses: " + cache.stats().misses());
  }
}
