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
 * changing a bucket count would move keys back and forth. A null key picks at random. The IP
 * variant hashes a dotted-quad IPv4 key as its 32-bit value (one word instead of up to fifteen
 * UTF-8 bytes); other keys, IPv6 included, are hashed as text.
 * Per pick: one hash of the key, an O(log n) jump-hash lookup and one hash-map read; no
 * allocation.
 */
final class ConsistentHashStrategy implements Strategy {

  private final HashFunction hashFunction;
  private final String name;
  private final boolean ipKeys;

  ConsistentHashStrategy(HashFunction hashFunction, String name, boolean ipKeys) {
    this.hashFunction = hashFunction;
    this.name = name;
    this.ipKeys = ipKeys;
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
    return new Hashed(hashFunction, placement, weights, indexOf, ipKeys);
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
    private final boolean ipKeys;

    Hashed(HashFunction hashFunction, Placement<String> placement, Map<String, Integer> weights,
        Map<String, Integer> indexOf, boolean ipKeys) {
      this.hashFunction = hashFunction;
      this.ipKeys = ipKeys;
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
      long ipv4 = ipKeys ? ipv4(key) : -1;
      long hash = ipv4 >= 0 ? hashFunction.hash(ipv4) : hashFunction.hash(key);
      return indexOf.get(placement.nodeFor(hash));
    }
  }

  /** The 32-bit value of a dotted-quad IPv4 address, or -1 when {@code key} is not one. */
  static long ipv4(CharSequence key) {
    int length = key.length();
    if (length < 7 || length > 15) {
      return -1;
    }
    long address = 0;
    int octet = 0;
    int digits = 0;
    int dots = 0;
    for (int i = 0; i < length; i++) {
      char c = key.charAt(i);
      if (c >= '0' && c <= '9') {
        octet = octet * 10 + (c - '0');
        if (++digits > 3 || octet > 255) {
          return -1;
        }
      } else if (c == '.' && digits > 0 && ++dots <= 3) {
        address = (address << 8) | octet;
        octet = 0;
        digits = 0;
      } else {
        return -1;
      }
    }
    if (dots != 3 || digits == 0) {
      return -1;
    }
    return (address << 8) | octet;
  }
}
