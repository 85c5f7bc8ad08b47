package io.scaleblocks.sharding;

import java.util.List;

/**
 * A consistent-hash ring with virtual nodes: node i of weight w gets {@code w * pointsPerWeight}
 * points at {@code murmur3("<node>#<v>")}.
 *
 * <p>Thread-safe and immutable; {@link #nodeFor} is a binary search, {@code O(log(points))},
 * allocation-free. Routing state is 12 bytes per point.
 */
/*
 * D. Karger et al., "Consistent Hashing and Random Trees", STOC 1997; virtual nodes as in
 * Amazon's Dynamo (SOSP 2007). With v points per node the most loaded node holds about
 * 1 + O(sqrt(log n / v)) times the mean.
 */
final class RingPlacement<N> implements Placement<N> {

  private final NodeSet<N> nodes;
  private final int pointsPerWeight;
  private final HashRing ring;

  RingPlacement(NodeSet<N> nodes, int pointsPerWeight) {
    if (pointsPerWeight <= 0) {
      throw new IllegalArgumentException("pointsPerNode must be > 0 but was " + pointsPerWeight);
    }
    long total = nodes.totalWeight() * pointsPerWeight;
    if (total > 50_000_000) {
      throw new IllegalArgumentException(
          "a ring of " + total + " points is too large; use fewer points per node (at most 50,000,000 in all)");
    }
    this.nodes = nodes;
    this.pointsPerWeight = pointsPerWeight;
    long[] points = new long[(int) total];
    int[] owners = new int[(int) total];
    int p = 0;
    HashFunction hash = Hashing.murmur3();
    for (int i = 0; i < nodes.size(); i++) {
      String name = nodes.node(i).toString();
      int count = nodes.weight(i) * pointsPerWeight;
      for (int v = 0; v < count; v++) {
        points[p] = hash.hash(name + "#" + v);
        owners[p++] = i;
      }
    }
    this.ring = HashRing.of(points, owners);
  }

  @Override
  public N nodeFor(long keyHash) {
    return nodes.node(ring.ownerAt(ring.positionOf(keyHash)));
  }

  @Override
  public List<N> nodes() {
    return nodes.nodes();
  }

  @Override
  public Placement<N> withNode(N node, int weight) {
    return new RingPlacement<>(nodes.with(node, weight), pointsPerWeight);
  }

  @Override
  public Placement<N> withoutNode(N node) {
    return new RingPlacement<>(nodes.without(node), pointsPerWeight);
  }

  long routingStateBytes() {
    return ring.routingStateBytes();
  }

  @Override
  public String toString() {
    return "Ring(" + pointsPerWeight + ")" + nodes.nodes();
  }
}
