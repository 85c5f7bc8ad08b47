package io.scaleblocks.sharding;

import java.util.List;

/**
 * Jump consistent hash over buckets, a node of weight w owning w consecutive buckets.
 *
 * <p>Thread-safe and immutable; {@link #nodeFor} is allocation-free, {@code O(ln n)}, and the
 * routing state is one array of bucket owners. Buckets are numbered in node order, so removing a
 * node other than the last renumbers every later bucket.
 */
/*
 * J. Lamping, E. Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm", 2014,
 * arXiv:1406.2294: a 64-bit linear congruential generator seeded with the key decides, bucket by
 * bucket, whether the key jumps forward; the expected number of jumps is ln(n).
 */
final class JumpPlacement<N> implements Placement<N> {

  private final NodeSet<N> nodes;
  private final Object[] nodeOfBucket;

  JumpPlacement(NodeSet<N> nodes) {
    this.nodes = nodes;
    this.nodeOfBucket = Buckets.expand(nodes);
  }

  static int jump(long key, int buckets) {
    long b = -1;
    long j = 0;
    while (j < buckets) {
      b = j;
      key = key * 2862933555777941757L + 1;
      j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
    }
    return (int) b;
  }

  @Override
  @SuppressWarnings("unchecked")
  public N nodeFor(long keyHash) {
    return (N) nodeOfBucket[jump(keyHash, nodeOfBucket.length)];
  }

  @Override
  public List<N> nodes() {
    return nodes.nodes();
  }

  @Override
  public Placement<N> withNode(N node, int weight) {
    return new JumpPlacement<>(nodes.with(node, weight));
  }

  @Override
  public Placement<N> withoutNode(N node) {
    return new JumpPlacement<>(nodes.without(node));
  }

  @Override
  public String toString() {
    return "JumpHash" + nodes.nodes();
  }
}
