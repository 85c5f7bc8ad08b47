package io.scaleblocks.sharding;

/**
 * Consistent hashing with bounded loads: a ring that counts the keys (or requests, or
 * connections) assigned to each node and passes a key on, clockwise, past every node already
 * holding {@code ceil((1 + epsilon) * share)} of the current total, where a node's share is
 * proportional to its weight. No node ever holds more than that cap.
 *
 * <p>{@link #assign} counts the assignment and {@link #release} undoes it; {@link #nodeFor}
 * answers where {@link #assign} would put a key now, without counting. Loads belong to one
 * snapshot: {@link #withNode} and {@link #withoutNode} return a placement whose loads start at
 * zero, so callers move their live assignments over as they reassign them. Thread-safe: loads are
 * atomic counters and a cap is checked and claimed with a compare-and-set, so concurrent
 * assignments never push a node past its cap by more than one. Lookup walks the ring from the
 * key's point; the expected walk is {@code O(1/epsilon^2)} points when every node is near its cap.
 *
 * <p>Obtain one from {@link Placements#boundedLoad(java.util.Collection, double)}.
 */
/*
 * V. Mirrokni, M. Thorup, M. Zadimoghaddam, "Consistent Hashing with Bounded Loads", SODA 2018,
 * arXiv:1608.01350; used by Google Cloud Pub/Sub and HAProxy's hash-balance-factor.
 */
public interface BoundedLoadPlacement<N> extends Placement<N> {

  /** The default epsilon: no node holds more than 1.25 times its share. */
  double DEFAULT_EPSILON = 0.25;

  /** Picks the node for a key, counts the assignment against its cap and returns the node. */
  N assign(long keyHash);

  /**
   * Undoes one assignment to {@code node}.
   *
   * @throws IllegalArgumentException if the node is not placed or has no assignment
   */
  void release(N node);

  /** The number of assignments {@code node} holds. */
  long load(N node);

  /** The number of assignments held by all nodes. */
  long totalLoad();

  /** The cap on a node's share: at most {@code 1 + epsilon} times it. */
  double epsilon();

  @Override
  BoundedLoadPlacement<N> withNode(N node, int weight);

  @Override
  default BoundedLoadPlacement<N> withNode(N node) {
    return withNode(node, 1);
  }

  @Override
  BoundedLoadPlacement<N> withoutNode(N node);
}
