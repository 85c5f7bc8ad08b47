package io.scaleblocks.sharding;

import java.util.Collection;
import java.util.Map;

/**
 * Factories for every {@link Placement} of this library.
 *
 * <p>Each factory takes the nodes in the order they should be numbered (a {@link Collection}, all
 * of weight 1) or a map from node to a positive integer weight, whose iteration order is used
 * (pass a {@link java.util.LinkedHashMap} or a sorted map). Two processes that build a placement
 * from the same nodes in the same order, and apply the same changes in the same order, place
 * every key alike. Bad input fails fast: no nodes, a null node, a node twice, two nodes with the
 * same string form, or a weight that is not positive throws an exception naming the value.
 *
 * <p>The figures below are for K keys and n equal nodes; the exact measurements at n = 10, 100
 * and 1000 are in the module README and asserted in {@code PlacementQualityTest}.
 */
public final class Placements {

  private Placements() {}

  /**
   * The default: MementoHash over jump consistent hash (computed as JumpBackHash). Perfect
   * balance (each node gets {@code K/n} keys up to sampling noise), minimal disruption (adding a
   * node moves {@code K/(n+1)} keys, all onto the new node; removing <em>any</em> node moves only
   * its keys; no key ever moves between two surviving nodes), allocation-free lookup without a
   * division, expected {@code O(1)} while few buckets were removed but growing with
   * {@code n / w} when most of them were (see {@link #consistent(Map, double)}), and 12 bytes of
   * routing state per bucket. A node of weight w owns w buckets.
   *
   * <p>The placement depends on the order of changes, not only on the final node set: removing
   * node B then adding C gives C B's old keys, whereas a placement built fresh from the same final
   * nodes numbers them anew. Keep the placement (or its change history) rather than rebuilding it.
   */
  public static <N> Placement<N> consistent(Collection<N> nodes) {
    return MementoPlacement.of(NodeSet.of(nodes));
  }

  /** {@link #consistent(Collection)} with integer weights: a node of weight w owns w buckets. */
  public static <N> Placement<N> consistent(Map<N, Integer> weightedNodes) {
    return MementoPlacement.of(NodeSet.of(weightedNodes));
  }

  /**
   * {@link #consistent(Map)} whose lookups stay cheap however many nodes leave. A lookup of the
   * default placement walks a chain that grows with {@code n / w} ({@code w} working of {@code n}
   * buckets ever used): about 30 us at n = 10,000 and w = 1. This one, when a removal leaves fewer
   * than {@code minWorkingShare} of its buckets working, rebuilds itself over the working nodes:
   * lookups stay within about {@code 1 / minWorkingShare} steps, and that one removal also moves
   * keys between surviving nodes (about {@code 1 - w/n'} of them, {@code n'} the new bucket count)
   * instead of only the removed node's.
   *
   * @param minWorkingShare in (0, 1]: for example 0.1 rebuilds when fewer than 10% of the buckets
   *     work
   * @throws IllegalArgumentException if {@code minWorkingShare} is not in (0, 1]
   */
  public static <N> Placement<N> consistent(Map<N, Integer> weightedNodes, double minWorkingShare) {
    if (!(minWorkingShare > 0 && minWorkingShare <= 1)) {
      throw new IllegalArgumentException("minWorkingShare must be in (0, 1] but was " + minWorkingShare);
    }
    return MementoPlacement.of(NodeSet.of(weightedNodes), minWorkingShare);
  }

  /**
   * Rendezvous (highest random weight) hashing. Balance is that of independent random choice;
   * adding a node moves exactly the keys it now wins (K/(n+1) expected), removing any node moves
   * only its keys, and the placement depends only on the node set, never on history. Lookup is
   * {@code O(n)}: fine for tens of nodes, slow for thousands.
   */
  public static <N> Placement<N> rendezvous(Collection<N> nodes) {
    return new RendezvousPlacement<>(NodeSet.of(nodes));
  }

  /**
   * Weighted rendezvous hashing (logarithmic method): node i gets a share {@code w_i / sum(w)} of
   * keys, with the same disruption properties as {@link #rendezvous(Collection)}.
   */
  public static <N> Placement<N> rendezvous(Map<N, Integer> weightedNodes) {
    return new RendezvousPlacement<>(NodeSet.of(weightedNodes));
  }

  /**
   * Jump consistent hash (Lamping and Veach). Perfect balance and minimal disruption when nodes
   * are added or removed <em>at the end</em>; removing any other node renumbers the nodes after
   * it and moves their keys too. {@code O(ln n)} lookup, no state beyond the node list.
   */
  public static <N> Placement<N> jump(Collection<N> nodes) {
    return new JumpPlacement<>(NodeSet.of(nodes));
  }

  /** {@link #jump(Collection)} where a node of weight w owns w consecutive buckets. */
  public static <N> Placement<N> jump(Map<N, Integer> weightedNodes) {
    return new JumpPlacement<>(NodeSet.of(weightedNodes));
  }

  /**
   * {@code hash mod n}, the textbook baseline: perfect balance, but changing n from n to n+1 moves
   * about {@code n/(n+1)} of all keys, most of them between nodes that did not change. Kept so
   * tests and benchmarks can show why the others exist; do not shard data with it.
   */
  public static <N> Placement<N> modulo(Collection<N> nodes) {
    return new ModuloPlacement<>(NodeSet.of(nodes));
  }

  /** {@link #modulo(Collection)} where a node of weight w owns w residues. */
  public static <N> Placement<N> modulo(Map<N, Integer> weightedNodes) {
    return new ModuloPlacement<>(NodeSet.of(weightedNodes));
  }

  /** Points per node of {@link #ring(Collection)}: the 160 that ketama clients use. */
  public static final int DEFAULT_POINTS_PER_NODE = 160;

  /**
   * A consistent-hash ring with {@value #DEFAULT_POINTS_PER_NODE} virtual nodes per node at
   * murmur3 positions. Minimal disruption (adding moves only keys onto the new node, removing any
   * node moves only its keys) but imperfect balance: the most loaded node holds about 1.1 to 1.3
   * times the mean at this point count. {@code O(log(points))} lookup, 12 bytes per point.
   */
  public static <N> Placement<N> ring(Collection<N> nodes) {
    return ring(nodes, DEFAULT_POINTS_PER_NODE);
  }

  /** A ring with {@code pointsPerNode} virtual nodes per node: more points, better balance. */
  public static <N> Placement<N> ring(Collection<N> nodes, int pointsPerNode) {
    return new RingPlacement<>(NodeSet.of(nodes), pointsPerNode);
  }

  /** A ring where a node of weight w gets {@code w * pointsPerWeight} virtual nodes. */
  public static <N> Placement<N> ring(Map<N, Integer> weightedNodes, int pointsPerWeight) {
    return new RingPlacement<>(NodeSet.of(weightedNodes), pointsPerWeight);
  }

  /**
   * A ring compatible with libketama and the memcached clients that follow it (spymemcached,
   * libmemcached in ketama mode): MD5 of {@code "<node>-<i>"}, 40 digests and so 160 points per
   * server, four points per digest. Hash keys with {@link Hashing#ketama()} and give nodes the
   * string form the old client used ({@code "host:port"}) to keep every key-to-server mapping of
   * an application that migrates from such a client. Disruption and balance are those of
   * {@link #ring(Collection)}.
   */
  public static <N> Placement<N> ketama(Collection<N> nodes) {
    return new KetamaPlacement<>(NodeSet.of(nodes));
  }

  /**
   * A weighted ketama ring: with equal weights 40 digests per server; otherwise server s gets
   * {@code floor(w_s / sum(w) * 40 * n)} digests computed in float arithmetic exactly as
   * libmemcached's and spymemcached's weighted ketama compute it, so the ring is theirs.
   */
  public static <N> Placement<N> ketama(Map<N, Integer> weightedNodes) {
    return new KetamaPlacement<>(NodeSet.of(weightedNodes));
  }

  /**
   * A Maglev lookup table (Eisenbud et al., NSDI 2016) of the smallest prime number of slots at
   * least 100 times the total weight and at least 65,537; changes keep the table size. Near-perfect balance (within about 1% of the mean), the
   * fastest lookup (one array load), but not minimal disruption: a change of one node also moves
   * a few percent of the keys between other nodes. 4 bytes per slot.
   */
  public static <N> Placement<N> maglev(Collection<N> nodes) {
    return MaglevPlacement.of(NodeSet.of(nodes), 0);
  }

  /** A Maglev table of the smallest prime number of slots at least {@code tableSize}. */
  public static <N> Placement<N> maglev(Collection<N> nodes, int tableSize) {
    return MaglevPlacement.of(NodeSet.of(nodes), tableSize);
  }

  /** A weighted Maglev table: a node of weight w claims w slots per turn. */
  public static <N> Placement<N> maglev(Map<N, Integer> weightedNodes) {
    return MaglevPlacement.of(NodeSet.of(weightedNodes), 0);
  }

  /**
   * Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam, SODA 2018) with
   * {@link BoundedLoadPlacement#DEFAULT_EPSILON}: no node holds more than 1.25 times its share of
   * the assignments counted by {@link BoundedLoadPlacement#assign}.
   */
  public static <N> BoundedLoadPlacement<N> boundedLoad(Collection<N> nodes) {
    return boundedLoad(nodes, BoundedLoadPlacement.DEFAULT_EPSILON);
  }

  /**
   * Consistent hashing with bounded loads: no node holds more than {@code ceil((1 + epsilon) *
   * share)} of the counted assignments. Smaller epsilon, better balance, more keys that overflow
   * past their ring owner (and so move when loads change).
   */
  public static <N> BoundedLoadPlacement<N> boundedLoad(Collection<N> nodes, double epsilon) {
    return new BoundedLoadRing<>(NodeSet.of(nodes), epsilon);
  }

  /** Weighted bounded loads: a node's share is its weight over the total. */
  public static <N> BoundedLoadPlacement<N> boundedLoad(Map<N, Integer> weightedNodes, double epsilon) {
    return new BoundedLoadRing<>(NodeSet.of(weightedNodes), epsilon);
  }
}
