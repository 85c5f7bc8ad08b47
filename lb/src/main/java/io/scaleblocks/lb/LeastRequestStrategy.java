package io.scaleblocks.lb;

/**
 * Least request by the power of two choices: two distinct random candidates, keep the one with
 * fewer calls in flight per unit of weight. Mitzenmacher, "The power of two choices in
 * randomized load balancing", IEEE TPDS 12(10), 2001: the most loaded server carries
 * O(log log N) more than average instead of O(log N / log log N), at the cost of two random
 * reads per pick instead of a scan. Ties go to the higher weight, then to the first draw. O(1),
 * no allocation; one endpoint is always picked.
 */
final class LeastRequestStrategy implements Strategy {

  private final RandomSource random;

  LeastRequestStrategy(RandomSource random) {
    this.random = random;
  }

  @Override
  public Selector selector(Candidates candidates, Selector previous) {
    int n = candidates.size();
    if (n == 1) {
      return key -> 0;
    }
    return key -> {
      long bits = random.nextLong();
      int first = RandomSource.reduce(bits >>> 32, n);
      int second = RandomSource.reduce(bits, n - 1);
      if (second >= first) {
        second++;
      }
      long firstLoad = (long) (candidates.inFlight(first) + 1) * candidates.weight(second);
      long secondLoad = (long) (candidates.inFlight(second) + 1) * candidates.weight(first);
      if (secondLoad < firstLoad
          || (secondLoad == firstLoad && candidates.weight(second) > candidates.weight(first))) {
        return second;
      }
      return first;
    };
  }

  @Override
  public String toString() {
    return "leastRequest";
  }
}
