package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A weighted cache's bound is only as good as its accounting: when two threads rewrite one key at
 * once with values of different weights, the entry must end up accounted at the weight of the
 * value it holds, whichever put lands last.
 */
class PolicyLocalCacheWeightRaceTest {

  private static final int KEYS = 100_000;
  private static final String LIGHT = "l";
  private static final String HEAVY = "h".repeat(100);
  private static final long ROOM_FOR_ALL = 1L << 40;

  @ParameterizedTest
  @EnumSource(value = EvictionPolicy.class, names = {"LRU", "LFU", "FIFO", "ARC"})
  void aPolicyCacheNeverAccountsAnEntryAtAWeightOtherThanItsValues(EvictionPolicy policy) throws Exception {
    PolicyLocalCache<Integer, String> cache = (PolicyLocalCache<Integer, String>) LocalCache.<Integer, String>builder()
        .policy(policy).maximumWeight(ROOM_FOR_ALL).weigher((Integer key, String value) -> value.length()).build();
    // Half the keys start light and half heavy, so each thread's put rewrites at the same weight
    // for one half and at another weight for the other: a stale weight can go either way.
    for (int key = 0; key < KEYS; key++) {
      cache.put(key, key % 2 == 0 ? LIGHT : HEAVY);
    }
    LockStep step = new LockStep();
    Thread light = step.start("light-writer", 1, key -> cache.put(key, LIGHT));
    Thread heavy = step.start("heavy-writer", 2, key -> cache.put(key, HEAVY));
    light.join();
    heavy.join();
    assertNull(step.failure.get(), () -> "a writer failed: " + step.failure.get());

    Map<Integer, Long> accounted = cache.accountedWeights();
    assertEquals(KEYS, accounted.size(), "nothing is evicted with room for every entry");
    long held = 0;
    long accountedTotal = 0;
    int mismatched = 0;
    for (int key = 0; key < KEYS; key++) {
      long weight = cache.getIfPresent(key).length();
      held += weight;
      accountedTotal += accounted.get(key);
      mismatched += accounted.get(key) == weight ? 0 : 1;
    }
    String report = policy + ": entries whose accounted weight differs from their value's: " + mismatched
        + " of " + KEYS + "; weight held " + held + ", accounted " + accountedTotal
        + ", held under the bound " + cache.accountedWeight();
    assertEquals(0, mismatched, report);
    assertEquals(held, cache.accountedWeight(), report);
  }

  /**
   * Runs the writers over the keys in rounds: a writer puts key {@code k} only once every writer
   * has arrived at {@code k}, so the puts of one key start together. The wait spins and never
   * yields: parking or yielding on a busy two-core machine leaves the writers taking turns on one
   * core, where their puts never overlap. A failed writer, or five minutes without progress,
   * releases the other.
   */
  private static final class LockStep {
    private static final int WRITERS = 2;
    private static final int MAX_STAGGER = 16;
    private static final Duration PATIENCE = Duration.ofMinutes(5);
    private final AtomicInteger arrivals = new AtomicInteger();
    private final long deadline = System.nanoTime() + PATIENCE.toNanos();
    final AtomicReference<Throwable> failure = new AtomicReference<>();

    /**
     * Starts a writer that, once a round opens, pauses for a number of spins drawn from a seeded
     * sequence before its put, so the two puts' offset sweeps both ways across the rounds.
     */
    Thread start(String name, long seed, IntConsumer put) {
      Thread thread = new Thread(() -> {
        SplittableRandom random = new SplittableRandom(seed);
        try {
          for (int key = 0; key < KEYS; key++) {
            awaitRound(key);
            for (int pause = random.nextInt(MAX_STAGGER); pause > 0; pause--) {
              Thread.onSpinWait();
            }
            put.accept(key);
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, name);
      thread.start();
      return thread;
    }

    private void awaitRound(int round) {
      int everyone = WRITERS * (round + 1);
      arrivals.incrementAndGet();
      for (int spins = 1; arrivals.get() < everyone; spins++) {
        Thread.onSpinWait();
        if ((spins & 1023) == 0) {
          if (failure.get() != null) {
            throw new IllegalStateException("the other writer failed");
          }
          if (System.nanoTime() - deadline > 0) {
            throw new IllegalStateException("round " + round + " did not open within " + PATIENCE);
          }
        }
      }
    }
  }
}
