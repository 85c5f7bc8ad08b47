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
 * most recently (its own, when it was that one). Weights up to 4,096 are exact (a weight-w
 * endpoint owns w buckets); heavier ones are divided by a common scale that gives the heaviest
 * endpoint about 1,024 buckets (rounding costs at most half a bucket), and the scale is kept
 * from snapshot to snapshot while it fits, so a change costs O(buckets) whatever the weights.
 * The kept scale outlives the heaviest endpoint: when it leaves (or is ejected, or its weight
 * drops), the others keep their bucket counts, so only its keys move, at the price of coarser
 * buckets (an endpoint owns {@code max(1, round(weight / scale))}) until the next rescale. A
 * rescale, which renumbers the slots and moves most keys, happens only when it cannot be
 * avoided: when the heaviest endpoint would need more than 4,096 buckets at the kept scale (a
 * weight above 4,096 while weights are exact, else about 4 times the heaviest weight of the
 * last rescale, joins or is set), or when no endpoint of the previous snapshot keeps its bucket
 * count (nothing of the placement to keep). Slow-start ramps do not apply, since changing a
 * bucket count would move keys back and forth. A null key picks at random. The IP
 * variant hashes a dotted-quad IPv4 key as its 32-bit value (one word instead of up to fifteen
 * UTF-8 bytes); other keys, IPv6 included, are hashed as text.
 * Per pick: one hash of the key, an expected O(1) MementoHash lookup and one array read; no
 * allocation.
 */
final class ConsistentHashStrategy implements Strategy {

  /** Weights up to this are given one bucket per unit, exactly. */
  static final int EXACT_UP_TO = 4096;
  /** Heavier weights are scaled so the heaviest endpoint owns about this many buckets. */
  static final int SCALED_TOP = 1024;

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
    int maxWeight = 1;
    for (int i = 0; i < n; i++) {
      maxWeight = Math.max(maxWeight, candidates.endpoint(i).weight());
    }
    Hashed kept = previous instanceof Hashed hashed && fits(hashed.scale, maxWeight)
        ? hashed : null;
    int scale = kept != null ? kept.scale : scaleFor(maxWeight);
    String[] ids = new String[n];
    Map<String, Integer> positionOf = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      ids[i] = candidates.endpoint(i).id();
      positionOf.put(ids[i], i);
    }
    int[] weights = buckets(candidates, scale);
    int[] before = kept != null ? kept.positionsOf(ids) : null;
    boolean editable = before != null && anySurvivor(kept, before, weights);
    if (!editable && scale != scaleFor(maxWeight)) {
      // Nothing to keep: a fresh placement takes the scale these weights call for.
      scale = scaleFor(maxWeight);
      weights = buckets(candidates, scale);
    }
    int[] slots;
    Placement<Integer> placement;
    if (editable) {
      slots = slots(kept, before);
      placement = edit(kept, before, ids, weights, slots, positionOf);
    } else {
      slots = new int[n];
      Map<Integer, Integer> bySlot = new LinkedHashMap<>(n * 2);
      for (int i = 0; i < n; i++) {
        slots[i] = i;
        bySlot.put(i, weights[i]);
      }
      placement = Placements.consistent(bySlot);
    }
    int maxSlot = 0;
    for (int slot : slots) {
      maxSlot = Math.max(maxSlot, slot);
    }
    int[] indexOfSlot = new int[maxSlot + 1];
    for (int i = 0; i < n; i++) {
      indexOfSlot[slots[i]] = i;
    }
    return new Hashed(hashFunction, placement, ids, weights, slots, positionOf, indexOfSlot,
        ipKeys, scale);
  }

  /**
   * The weight of one bucket: 1 (weights are exact) up to a weight of {@link #EXACT_UP_TO}, else
   * a divisor that gives the heaviest endpoint about {@link #SCALED_TOP} buckets.
   */
  static int scaleFor(int maxWeight) {
    return maxWeight <= EXACT_UP_TO ? 1 : (maxWeight + SCALED_TOP - 1) / SCALED_TOP;
  }

  /**
   * Whether a scale carried from the previous snapshot still fits the weights: the heaviest
   * endpoint needs at most {@link #EXACT_UP_TO} buckets at it. A kept scale keeps the unchanged
   * endpoints' bucket counts, so a change moves only the changed endpoints' keys, also when the
   * heaviest endpoint leaves and the scale is coarser than the remaining weights need.
   */
  private static boolean fits(int scale, int maxWeight) {
    return buckets(maxWeight, scale) <= EXACT_UP_TO;
  }

  private static int buckets(int weight, int scale) {
    return scale == 1 ? weight : Math.max(1, (int) Math.round(weight / (double) scale));
  }

  private static int[] buckets(Candidates candidates, int scale) {
    int[] weights = new int[candidates.size()];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = buckets(candidates.endpoint(i).weight(), scale);
    }
    return weights;
  }

  /** Whether some endpoint keeps its weight, so the previous placement is worth editing. */
  private static boolean anySurvivor(Hashed previous, int[] before, int[] weights) {
    for (int i = 0; i < weights.length; i++) {
      if (before[i] >= 0 && previous.weights[before[i]] == weights[i]) {
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
  private static int[] slots(Hashed previous, int[] before) {
    BitSet taken = new BitSet();
    for (int slot : previous.slots) {
      taken.set(slot);
    }
    int[] slots = new int[before.length];
    int free = taken.nextClearBit(0);
    for (int i = 0; i < before.length; i++) {
      if (before[i] >= 0) {
        slots[i] = previous.slots[before[i]];
      } else {
        slots[i] = free;
        free = taken.nextClearBit(free + 1);
      }
    }
    return slots;
  }

  /**
   * The previous placement edited to the new weights: first every removal (the leavers, and the
   * old weight of a reweighted endpoint), then every addition, so that MementoHash hands a
   * newcomer the buckets a leaver just freed instead of taking new ones from every survivor (a
   * replacement then moves only the leaver's keys). Some endpoint survives unchanged, so the
   * placement never becomes empty.
   */
  private static Placement<Integer> edit(Hashed previous, int[] before, String[] ids,
      int[] weights, int[] slots, Map<String, Integer> positionOf) {
    Placement<Integer> placement = previous.placement;
    for (int j = 0; j < previous.ids.length; j++) {
      if (!positionOf.containsKey(previous.ids[j])) {
        placement = placement.withoutNode(previous.slots[j]);
      }
    }
    for (int i = 0; i < ids.length; i++) {
      if (before[i] >= 0 && previous.weights[before[i]] != weights[i]) {
        placement = placement.withoutNode(slots[i]);
      }
    }
    for (int i = 0; i < ids.length; i++) {
      if (before[i] < 0 || previous.weights[before[i]] != weights[i]) {
        placement = placement.withNode(slots[i], weights[i]);
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
   * indexes, so a pick ends with an array read rather than a map lookup. The next snapshot reads
   * the ids, weights and slots, by candidate index, to edit the placement.
   */
  private static final class Hashed implements Selector {
    private final HashFunction hashFunction;
    final Placement<Integer> placement;
    final String[] ids;
    final int[] weights;
    final int[] slots;
    private final Map<String, Integer> positionOf;
    private final int[] indexOfSlot;
    private final boolean ipKeys;
    final int scale;

    Hashed(HashFunction hashFunction, Placement<Integer> placement, String[] ids, int[] weights,
        int[] slots, Map<String, Integer> positionOf, int[] indexOfSlot, boolean ipKeys,
        int scale) {
      this.hashFunction = hashFunction;
      this.placement = placement;
      this.ids = ids;
      this.weights = weights;
      this.slots = slots;
      this.positionOf = positionOf;
      this.indexOfSlot = indexOfSlot;
      this.ipKeys = ipKeys;
      this.scale = scale;
    }

    /** Each id's candidate index in this snapshot, or -1 for an id it does not have. */
    int[] positionsOf(String[] next) {
      int[] positions = new int[next.length];
      for (int i = 0; i < next.length; i++) {
        Integer position = positionOf.get(next[i]);
        positions[i] = position == null ? -1 : position;
      }
      return positions;
    }

    @Override
    public int select(CharSequence key) {
      if (key == null) {
        return RandomSource.reduce(RandomSource.THREAD_LOCAL.nextLong(), ids.length);
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
