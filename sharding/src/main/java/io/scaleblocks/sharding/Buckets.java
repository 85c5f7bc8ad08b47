package io.scaleblocks.sharding;

/** Bucket arrays for the placements that give a node of weight w exactly w buckets. */
final class Buckets {

  private Buckets() {}

  static Object[] expand(NodeSet<?> nodes) {
    long total = checkTotalWeight(nodes);
    Object[] owner = new Object[(int) total];
    int b = 0;
    for (int i = 0; i < nodes.size(); i++) {
      for (int w = 0; w < nodes.weight(i); w++) {
        owner[b++] = nodes.node(i);
      }
    }
    return owner;
  }

  /**
   * The total weight of {@code nodes}, one bucket per unit.
   *
   * @throws IllegalArgumentException if it is 2^30 or more (the bucket arrays would not fit)
   */
  static long checkTotalWeight(NodeSet<?> nodes) {
    long total = nodes.totalWeight();
    if (total > Integer.MAX_VALUE / 2) {
      throw new IllegalArgumentException("total weight must be < 2^30 but was " + total);
    }
    return total;
  }
}
