package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Once warm, hits and rewrites of resident keys allocate nothing in any of our policies, counted
 * by the JVM's per-thread allocation counter. The budget allows a few dozen small objects (an LFU
 * may still meet a frequency spread it has not needed a bucket for); a policy that allocates per
 * operation exceeds it a thousandfold.
 */
class PolicyLocalCacheAllocationTest {

  private static final int KEYS = 64;
  private static final int OPERATIONS = 200_000;
  private static final long BUDGET_BYTES = 4096;
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static final Integer[] BOXED = new Integer[KEYS];

  static {
    for (int i = 0; i < KEYS; i++) {
      BOXED[i] = i;
    }
  }

  @ParameterizedTest
  @EnumSource(value = EvictionPolicy.class, names = {"LRU", "LFU", "FIFO", "ARC"})
  void hitsAndReweighingUpdatesOfResidentKeysAllocateNothing(EvictionPolicy policy) {
    PolicyOrder<Integer> order = PolicyOrder.create(policy, 4 * KEYS);
    Consumer<Integer> evicted = key -> {
      throw new AssertionError(policy + " evicted " + key + " with room to spare");
    };
    Object[] handles = new Object[KEYS];
    for (int i = 0; i < KEYS; i++) {
      order.admit(BOXED[i], 1, evicted);
      handles[i] = order.handle(BOXED[i]);
    }
    SplittableRandom random = new SplittableRandom(7);
    Runnable operations = () -> {
      for (int op = 0; op < OPERATIONS; op++) {
        int i = skewed(random);
        switch (op & 3) {
          case 0 -> order.update(BOXED[i], 1 + (op & 4) / 4, evicted);
          case 1 -> order.recordHit(BOXED[i]);
          default -> order.recordHit(BOXED[i], handles[i]);
        }
      }
    };
    assertAllocatesNothingOnceWarm(policy.policyName() + " order", operations);
  }

  @ParameterizedTest
  @EnumSource(value = EvictionPolicy.class, names = {"LRU", "LFU", "FIFO", "ARC"})
  void cacheHitsAndSameWeightPutsOfResidentKeysAllocateNothing(EvictionPolicy policy) {
    LocalCache<Integer, Integer> cache = LocalCache.<Integer, Integer>builder()
        .policy(policy).maximumSize(2 * KEYS).build();
    for (Integer key : BOXED) {
      cache.put(key, key);
    }
    SplittableRandom random = new SplittableRandom(11);
    Runnable operations = () -> {
      for (int op = 0; op < OPERATIONS; op++) {
        Integer key = BOXED[skewed(random)];
        if ((op & 3) == 0) {
          cache.put(key, key);
        } else {
          assertNotNull(cache.getIfPresent(key));
        }
      }
    };
    assertAllocatesNothingOnceWarm(policy.policyName() + " cache", operations);
  }

  /** Half the operations on an eighth of the keys, so that frequencies drift apart. */
  private static int skewed(SplittableRandom random) {
    return random.nextBoolean() ? random.nextInt(KEYS / 8) : random.nextInt(KEYS);
  }

  private static void assertAllocatesNothingOnceWarm(String what, Runnable operations) {
    operations.run();
    long before = THREADS.getCurrentThreadAllocatedBytes();
    operations.run();
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < BUDGET_BYTES,
        () -> what + " allocated " + allocated + " bytes in " + OPERATIONS + " warm operations");
  }
}
