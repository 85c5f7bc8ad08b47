package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each of our policies evicts exactly what its reference model evicts, operation by operation. */
class EvictionPolicyModelTest {

  @ParameterizedTest
  @EnumSource(value = EvictionPolicy.class, names = {"LRU", "LFU", "FIFO", "ARC"})
  void residentKeysMatchTheReferenceModelAfterEveryOperation(EvictionPolicy policy) {
    for (int capacity : new int[] {1, 2, 7, 32}) {
      SplittableRandom random = new SplittableRandom(42 + capacity);
      PolicyLocalCache<Integer, Integer> cache = (PolicyLocalCache<Integer, Integer>)
          LocalCache.<Integer, Integer>builder().policy(policy).maximumSize(capacity).build();
      ReferenceModels.Model model = ReferenceModels.of(policy, capacity);
      int keys = capacity * 4;
      for (int op = 0; op < 20_000; op++) {
        int key = skewed(random, keys);
        int dice = random.nextInt(100);
        if (dice < 85) {
          boolean hit = cache.getIfPresent(key) != null;
          assertEquals(model.get(key), hit, () -> policy + " hit/miss diverged at key " + key);
          if (!hit) {
            cache.put(key, key);
            model.insert(key);
          }
        } else if (dice < 95) {
          if (model.resident().contains(key)) {
            cache.put(key, -key);
            model.update(key);
          }
        } else {
          cache.invalidate(key);
          model.remove(key);
        }
        int step = op;
        assertEquals(model.resident(), cache.residentKeys(),
            () -> policy + " capacity " + capacity + " diverged at operation " + step);
      }
    }
  }

  /** Half the keys are hot so that frequency and recency policies disagree. */
  private static int skewed(SplittableRandom random, int keys) {
    return random.nextBoolean() ? random.nextInt(Math.max(1, keys / 8)) : random.nextInt(keys);
  }

  @ParameterizedTest
  @EnumSource(EvictionPolicy.class)
  void invalidateAllWithAPredicateRemovesExactlyTheKeysItAccepts(EvictionPolicy policy) {
    LocalCache<Integer, Integer> cache = LocalCache.<Integer, Integer>builder().policy(policy).maximumSize(100).build();
    for (int key = 0; key < 100; key++) {
      cache.put(key, key);
    }
    cache.cleanUp();
    int resident = 0;
    for (int key = 0; key < 100; key++) {
      resident += cache.getIfPresent(key) != null ? 1 : 0;
    }
    cache.invalidateAll(key -> key % 3 == 0);
    cache.cleanUp();
    int kept = 0;
    for (int key = 0; key < 100; key++) {
      Integer value = cache.getIfPresent(key);
      if (key % 3 == 0) {
        assertNull(value, policy + " kept " + key);
      } else if (value != null) {
        kept++;
      }
    }
    assertTrue(kept > 0 && kept <= resident, policy + " kept " + kept + " of " + resident);
    assertEquals(kept, cache.estimatedSize(), policy + " size after the removal");
    for (int key = 100; key < 300; key++) {
      cache.put(key, key);
    }
    cache.cleanUp();
    assertTrue(cache.estimatedSize() <= 100, policy + " still honours its bound");
  }

  @ParameterizedTest
  @EnumSource(EvictionPolicy.class)
  void aWeightBoundKeepsTheTotalWeightAndNeverKeepsAnOverweightEntry(EvictionPolicy policy) {
    LocalCache<Integer, String> cache = LocalCache.<Integer, String>builder()
        .policy(policy).maximumWeight(100).weigher((k, v) -> v.length()).build();
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 5_000; i++) {
      cache.put(random.nextInt(200), "x".repeat(1 + random.nextInt(30)));
    }
    cache.put(-1, "y".repeat(101));
    cache.cleanUp();
    assertNull(cache.getIfPresent(-1));
    long total = 0;
    for (int k = 0; k < 200; k++) {
      String v = cache.getIfPresent(k);
      total += v == null ? 0 : v.length();
    }
    assertTrue(total <= 100, policy + " holds weight " + total);
    assertTrue(total > 50, policy + " holds only weight " + total);
  }
}
