package io.scaleblocks.sharding;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** {@link BoundedLoadPlacement} over a ring of virtual nodes; see the interface for the contract. */
final class BoundedLoadRing<N> implements BoundedLoadPlacement<N> {

  static final int POINTS_PER_WEIGHT = 100;

  private final NodeSet<N> nodes;
  private final double epsilon;
  private final HashRing ring;
  private final double[] share;
  private final AtomicLongArray loads;
  private final AtomicLong total = new AtomicLong();

  BoundedLoadRing(NodeSet<N> nodes, double epsilon) {
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException("epsilon must be > 0 and finite but was " + epsilon);
    }
    this.nodes = nodes;
    this.epsilon = epsilon;
    int points = Math.toIntExact(nodes.totalWeight() * POINTS_PER_WEIGHT);
    long[] point = new long[points];
    int[] owner = new int[points];
    int p = 0;
    HashFunction hash = Hashing.murmur3();
    double totalWeight = nodes.totalWeight();
    this.share = new double[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      String name = nodes.node(i).toString();
      share[i] = nodes.weight(i) / totalWeight;
      for (int v = 0; v < nodes.weight(i) * POINTS_PER_WEIGHT; v++) {
        point[p] = hash.hash(name + "#" + v);
        owner[p++] = i;
      }
    }
    this.ring = HashRing.of(point, owner);
    this.loads = new AtomicLongArray(nodes.size());
  }

  private long cap(int node, long totalAfter) {
    return (long) Math.ceil((1 + epsilon) * share[node] * totalAfter);
  }

  @Override
  public N nodeFor(long keyHash) {
    long after = total.get() + 1;
    int position = ring.positionOf(keyHash);
    for (int step = 0; step < ring.points(); step++) {
      int node = ring.ownerAt((position + step) % ring.points());
      if (loads.get(node) < cap(node, after)) {
        return nodes.node(node);
      }
    }
    return nodes.node(ring.ownerAt(position));
  }

  @Override
  public N assign(long keyHash) {
    while (true) {
      long after = total.get() + 1;
      int position = ring.positionOf(keyHash);
      for (int step = 0; step < ring.points(); step++) {
        int node = ring.ownerAt((position + step) % ring.points());
        long load = loads.get(node);
        if (load < cap(node, after) && loads.compareAndSet(node, load, load + 1)) {
          total.incrementAndGet();
          return nodes.node(node);
        }
      }
    }
  }

  @Override
  public void release(N node) {
    int i = nodes.indexOf(node);
    while (true) {
      long load = loads.get(i);
      if (load == 0) {
        throw new IllegalArgumentException("node '" + node + "' holds no assignment to release");
      }
      if (loads.compareAndSet(i, load, load - 1)) {
        total.decrementAndGet();
        return;
      }
    }
  }

  @Override
  public long load(N node) {
    return loads.get(nodes.indexOf(node));
  }

  @Override
  public long totalLoad() {
    return total.get();
  }

  @Override
  public double epsilon() {
    return epsilon;
  }

  @Override
  public List<N> nodes() {
    return nodes.nodes();
  }

  @Override
  public BoundedLoadPlacement<N> withNode(N node, int weight) {
    return new BoundedLoadRing<>(nodes.with(node, weight), epsilon);
  }

  @Override
  public BoundedLoadPlacement<N> withoutNode(N node) {
    return new BoundedLoadRing<>(nodes.without(node), epsilon);
  }

  @Override
  public String toString() {
    return "BoundedLoad(" + epsilon + ")" + nodes.nodes();
  }
}
