package io.scaleblocks.sharding;

import java.util.List;

/**
 * Assigns keys, by their 64-bit hash, to one node of a set.
 *
 * <p>A placement is an immutable snapshot: {@link #withNode} and {@link #withoutNode} return a new
 * placement and leave this one untouched, so a router can build the next snapshot off the hot path
 * and swap it in atomically. {@link #nodeFor} is thread-safe, allocation-free and never returns a
 * node that is not in {@link #nodes()}. Nodes are compared with {@code equals}; placements that
 * hash a node's identity (rings, rendezvous, Maglev) hash its {@code toString()}, so a node's
 * string form must be stable and unique (for example {@code "10.0.0.7:11211"}).
 *
 * <p>How many keys move when the node set changes is each algorithm's defining property and is
 * documented on its factory method in {@link Placements}.
 *
 * @param <N> the node type
 */
public interface Placement<N> {

  /** The node that owns a key whose hash is {@code keyHash}. */
  N nodeFor(long keyHash);

  /** The nodes of this placement, in the order they were added. */
  List<N> nodes();

  /** The number of nodes. */
  default int size() {
    return nodes().size();
  }

  /**
   * A placement with {@code node} added with {@code weight} (a share of keys proportional to it).
   *
   * @throws IllegalArgumentException if the node is already present, or the weight is not
   *     positive or not supported by this algorithm; the message names the value
   * @throws NullPointerException if {@code node} is null
   */
  Placement<N> withNode(N node, int weight);

  /** A placement with {@code node} added with weight 1. */
  default Placement<N> withNode(N node) {
    return withNode(node, 1);
  }

  /**
   * A placement without {@code node}. With the minimal-disruption placements (the default
   * {@link Placements#consistent}, rendezvous, rings) only the keys it owned move; see each
   * factory for the others.
   *
   * @throws IllegalArgumentException if the node is absent or is the last one
   */
  Placement<N> withoutNode(N node);
}
