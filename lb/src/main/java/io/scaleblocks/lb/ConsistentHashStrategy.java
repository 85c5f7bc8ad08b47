package io.scaleblocks.lb;

import io.scaleblocks.sharding.HashFunction;
import io.scaleblocks.sharding.Placement;
import io.scaleblocks.sharding.Placements;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * IP hash and key hash through the {@code sharding} module: the key's 64-bit hash is placed by
 * {@link Placements#consistent(Map)} (MementoHash over jump hash) over the candidates' ids. The
 * placement is carried from snapshot to snapshot and edited with {@code withNode} /
 * {@code withoutNode}, never rebuilt, so when an endpoint leaves (removed, unhealthy, ejected) only
 * the keys it owned move; an endpoint that returns takes over the buckets of the one that left
 * most recently (its own, when it was that one). Weights are the
 * configured ones (a weight-w endpoint owns w buckets); slow-start ramps do not apply, since
 * changing a bucket count would move keys back and forth. A null key picks at random.
 * Per pick: one hash of the key, an O(log n) jump-hash lookup and one hash-map read; no
 * allocation.
 */
final class ConsistentHashStrategy implements Strategy {

  private final HashFunction hashFunction;
  private final String name;

  ConsistentHashStrategy(HashFunction hashFunction, String name) {
    this.hashFunction = hashFunction;
    this.name = name;
  }

  @Override
  public Selector selector(Candidates candidates, Selector previous) {
    int n = candidates.size();
    Map<String, Integer> weights = new LinkedHashMap<>(n * 2);
    Map<String, Integer> indexOf = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      String id = candidates.endpoint(i).id();
      weights.put(id, candidates.endpoint(i).weight());
      indexOf.put(id, i);
    }
    Placement<String> placement = previous instanceof Hashed hashed
        ? edit(hashed, weights)
        : null;
    if (placement == null) {
      placement = Placements.consistent(weights);
    }
    return new Hashed(hashFunction, placement, weights, indexOf);
  }

  /** The previous placement edited to the new weights, or null when nothing survives. */
  private static Placement<String> edit(Hashed previous, Map<String, Integer> weights) {
    Placement<String> placement = previous.placement;
    boolean survivor = false;
    for (Map.Entry<String, Integer> entry : previous.weights.entrySet()) {
      survivor |= entry.getValue().equals(weights.get(entry.getKey()));
    }
    if (!survivor) {
      return null;
    }
    for (Map.Entry<String, Integer> entry : weights.entrySet()) {
      if (!entry.getValue().equals(previous.weights.get(entry.getKey()))) {
        if (previous.weights.containsKey(entry.getKey())) {
          placement = placement.withoutNode(entry.getKey());
        }
        placement = placement.withNode(entry.getKey(), entry.getValue());
      }
    }
    for (String id : previous.weights.keySet()) {
      if (!weights.containsKey(id)) {
        placement = placement.withoutNode(id);
      }
    }
    return placement;
  }

  @Override
  public String toString() {
    return name;
  }

  private static final class Hashed implements Selector {
    private final HashFunction hashFunction;
    final Placement<String> placement;
    final Map<String, Integer> weights;
    private final Map<String, Integer> indexOf;
    private final int size;

    Hashed(HashFunction hashFunction, Placement<String> placement, Map<String, Integer> weights,
        Map<String, Integer> indexOf) {
      this.hashFunction = hashFunction;
      this.placement = placement;
      this.weights = weights;
      this.indexOf = indexOf;
      this.size = indexOf.size();
    }

    @Override
    public int select(CharSequence key) {
      if (key == null) {
        return RandomSource.reduce(RandomSource.THREAD_LOCAL.nextLong(), size);
      }
      return indexOf.get(placement.nodeFor(hashFunction.hash(key)));
    }
  }
}
