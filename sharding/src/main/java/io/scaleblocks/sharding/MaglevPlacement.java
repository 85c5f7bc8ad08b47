package io.scaleblocks.sharding;

import java.util.Arrays;
import java.util.List;

/**
 * A Maglev lookup table: a prime number M of slots, each owned by one node, filled by the nodes
 * taking turns along their own permutation of the slots; a key goes to slot {@code hash mod M}.
 *
 * <p>Thread-safe and immutable; {@link #nodeFor} is one multiply and one array load,
 * allocation-free. Routing state is 4 bytes per slot. A node of weight w claims w slots per turn.
 */
/*
 * D. E. Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load Balancer", NSDI 2016,
 * section 3.4: node i walks the slots (offset_i + j * skip_i) mod M, skip_i in [1, M) so the walk
 * is a permutation because M is prime. Every node ends within one turn's worth of slots of M/n,
 * so with M >= 100 n the imbalance is at most about 1%; a change of one node also moves a few
 * percent of the other nodes' slots, the price of the near-perfect balance.
 */
final class MaglevPlacement<N> implements Placement<N> {

  /** The table has at least this many slots per unit of weight, as the paper recommends. */
  static final int SLOTS_PER_WEIGHT = 100;

  /** The paper's default table size, the smallest a default table gets. */
  static final int MIN_DEFAULT_SIZE = 65_537;

  private final NodeSet<N> nodes;
  private final int[] table;

  /**
   * A table for {@code nodes} of the smallest prime number of slots at least {@code tableSize},
   * or, when it is 0, at least {@link #SLOTS_PER_WEIGHT} times the total weight and
   * {@link #MIN_DEFAULT_SIZE}. Changes keep the size, so that each node keeps most of its slots.
   */
  static <N> MaglevPlacement<N> of(NodeSet<N> nodes, int tableSize) {
    if (tableSize < 0) {
      throw new IllegalArgumentException("tableSize must be >= 0 but was " + tableSize);
    }
    long wanted = tableSize != 0 ? tableSize
        : Math.max(MIN_DEFAULT_SIZE, nodes.totalWeight() * SLOTS_PER_WEIGHT);
    if (wanted > 1 << 28) {
      throw new IllegalArgumentException("a Maglev table of " + wanted + " slots is too large");
    }
    return new MaglevPlacement<>(nodes, nextPrime((int) wanted));
  }

  private MaglevPlacement(NodeSet<N> nodes, int primeSize) {
    if (primeSize < nodes.totalWeight()) {
      throw new IllegalArgumentException("a Maglev table of " + primeSize
          + " slots cannot hold a total weight of " + nodes.totalWeight());
    }
    this.nodes = nodes;
    this.table = populate(nodes, primeSize);
  }

  private static int[] populate(NodeSet<?> nodes, int m) {
    int n = nodes.size();
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] next = new long[n];
    for (int i = 0; i < n; i++) {
      String name = nodes.node(i).toString();
      offset[i] = Long.remainderUnsigned(Hashing.murmur3(0x4d61676cL).hash(name), m);
      skip[i] = Long.remainderUnsigned(Hashing.murmur3(0x65764d61L).hash(name), m - 1) + 1;
    }
    int[] slots = new int[m];
    Arrays.fill(slots, -1);
    int filled = 0;
    while (true) {
      for (int i = 0; i < n; i++) {
        for (int turn = 0; turn < nodes.weight(i); turn++) {
          long c = (offset[i] + next[i] * skip[i]) % m;
          while (slots[(int) c] >= 0) {
            next[i]++;
            c = (offset[i] + next[i] * skip[i]) % m;
          }
          slots[(int) c] = i;
          next[i]++;
          if (++filled == m) {
            return slots;
          }
        }
      }
    }
  }

  static int nextPrime(int atLeast) {
    for (int candidate = Math.max(atLeast, 2); ; candidate++) {
      if (isPrime(candidate)) {
        return candidate;
      }
    }
  }

  private static boolean isPrime(int x) {
    if (x < 4) {
      return x >= 2;
    }
    if (x % 2 == 0) {
      return false;
    }
    for (int d = 3; (long) d * d <= x; d += 2) {
      if (x % d == 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public N nodeFor(long keyHash) {
    return nodes.node(table[MementoPlacement.reduce(keyHash, table.length)]);
  }

  @Override
  public List<N> nodes() {
    return nodes.nodes();
  }

  @Override
  public Placement<N> withNode(N node, int weight) {
    return new MaglevPlacement<>(nodes.with(node, weight), table.length);
  }

  @Override
  public Placement<N> withoutNode(N node) {
    return new MaglevPlacement<>(nodes.without(node), table.length);
  }

  int tableSize() {
    return table.length;
  }

  @Override
  public String toString() {
    return "Maglev(" + table.length + ")" + nodes.nodes();
  }
}
