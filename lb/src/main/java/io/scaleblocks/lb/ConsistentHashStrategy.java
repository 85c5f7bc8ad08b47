package io.scaleblocks.lb;

import io.scaleblocks.sharding.HashFunction;
import io.scaleblocks.sharding.Placement;
import io.scaleblocks.sharding.Placements;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * IP hash and key hash through the {@code sharding} module: the key's 64-bit hash is placed by
 * {@link Placements#consistent(Map)} (MementoHash over JumpBackHash) over slots, one per endpoint
 * id. The placement is carried from snapshot to snapshot and edited with {@code withNode} /
 * {@code withoutNode}, never rebuilt, so when an endpoint leaves (removed, unhealthy, ejected) only
 * the keys it owned move; an endpoint that returns takes over the buckets of the one that left
 * most recently (its own, when it was that one). Weights are the
 * configured ones (a weight-w endpoint owns w buckets); slow-start ramps do not apply, since
 * changing a bucket count would move keys back and forth. A null key picks at random. The IP
 * variant hashes a dotted-quad IPv4 key as its 32-bit value (one word instead of up to fifteen
 * UTF-8 bytes); other keys, IPv6 included, are hashed as text.
 * Per pick: one hash of the key, an expected O(1) MementoHash lookup and one array read; no
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
    Hashed hashed = previous instanceof Hashed h ? h : null;
    Map<String, Integer> weights = new LinkedHashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      weights.put(candidates.endpoint(i).id(), candidates.endpoint(i).weight());
    }
    boolean editable = hashed != null && anySurvivor(hashed, weights);
    Map<String, Integer> slotOf = slots(editable ? hashed.slotOf : Map.of(), weights);
    Placement<Integer> placement = editable
        ? edit(hashed, weights, slotOf)
        : Placements.consistent(slotWeights(weights, slotOf));
    int[] indexOfSlot = new int[maxSlot(slotOf) + 1];
    for (int i = 0; i < n; i++) {
      indexOfSlot[slotOf.get(candidates.endpoint(i).id())] = i;
    }
    return new Hashed(hashFunction, placement, weights, slotOf, indexOfSlot, ipKeys);
  }

  /** Whether some endpoint keeps its weight, so the previous placement is worth editing. */
  private static boolean anySurvivor(Hashed previous, Map<String, Integer> weights) {
    for (Map.Entry<String, Integer> entry : previous.weights.entrySet()) {
      if (entry.getValue().equals(weights.get(entry.getKey()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The slot of every endpoint: a surviving one keeps its slot, a new one takes the lowest slot
   * that no endpoint of the previous placement holds (so it cannot meet a slot still to be
   * removed from it).
   */
  private static Map<String, Integer> slots(Map<String, Integer> previous,
      Map<String, Integer> weights) {
    Map<String, Integer> slotOf = new HashMap<>(weights.size() * 2);
    BitSet taken = new BitSet();
    for (Integer slot : previous.values()) {
      taken.set(slot);
    }
    int free = taken.nextClearBit(0);
    for (String id : weights.keySet()) {
      Integer slot = previous.get(id);
      if (slot == null) {
        slot = free;
        free = taken.nextClearBit(free + 1);
      }
      slotOf.put(id, slot);
    }
    return slotOf;
  }

  private static Map<Integer, Integer> slotWeights(Map<String, Integer> weights,
      Map<String, Integer> slotOf) {
    Map<Integer, Integer> bySlot = new LinkedHashMap<>(weights.size() * 2);
    for (Map.Entry<String, Integer> entry : weights.entrySet()) {
      bySlot.put(slotOf.get(entry.getKey()), entry.getValue());
    }
    return bySlot;
  }

  private static int maxSlot(Map<String, Integer> slotOf) {
    int max = 0;
    for (int slot : slotOf.values()) {
      max = Math.max(max, slot);
    }
    return max;
  }

  /** The previous placement edited to the new weights: changed and new endpoints, then removals. */
  private static Placement<Integer> edit(Hashed previous, Map<String, Integer> weights,
      Map<String, Integer> slotOf) {
    Placement<Integer> placement = previous.placement;
    for (Map.Entry<String, Integer> entry : weights.entrySet()) {
      if (!entry.getValue().equals(previous.weights.get(entry.getKey()))) {
        Integer slot = slotOf.get(entry.getKey());
        if (previous.weights.containsKey(entry.getKey())) {
          placement = placement.withoutNode(slot);
        }
        placement = placement.withNode(slot, entry.getValue());
      }
    }
    for (String id : previous.weights.keySet()) {
      if (!weights.containsKey(id)) {
        placement = placement.withoutNode(previous.slotOf.get(id));
      }
    }
    return placement;
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * One snapshot's selector. The placement's nodes are slots, small integers that an endpoint
   * keeps for as long as it stays; {@code indexOfSlot} maps them to this snapshot's candidate
   * indexes, so a pick ends with an array read rather than a map lookup.
   */
  private static final class Hashed implements Selector {
    private final HashFunction hashFunction;
    final Placement<Integer> placement;
    final Map<String, Integer> weights;
    final Map<String, Integer> slotOf;
    private final int[] indexOfSlot;
    private final int size;
    private final boolean ipKeys;

    Hashed(HashFunction hashFunction, Placement<Integer> placement, Map<String, Integer> weights,
        Map<String, Integer> slotOf, int[] indexOfSlot, boolean ipKeys) {
      this.hashFunction = hashFunction;
      this.ipKeys = ipKeys;
      this.placement = placement;
      this.weights = weights;
      this.slotOf = slotOf;
      this.indexOfSlot = indexOfSlot;
      this.size = weights.size();
    }

    @Override
    public int select(CharSequence key) {
      if (key == null) {
        return RandomSource.reduce(RandomSource.THREAD_LOCAL.nextLong(), size);
      }
      long ipv4 = ipKeys ? ipv4(key) : -1;
      long hash = ipv4 >= 0 ? hashFunction.hash(ipv4) : hashFunction.hash(key);
      return indexOfSlot[placement.nodeFor(hash)];
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
