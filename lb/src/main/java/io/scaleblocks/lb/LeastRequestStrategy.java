package io.scaleblocks.lb;

/**
 * Least request by the power of two choices: two distinct random candidates, keep the one with
 * fewer calls in flight per unit of weight. Mitzenmacher, "The power of two choices in
 * randomized load balancing", IEEE TPDS 12(10), 2001: the most loaded server carries
 * O(log log N) more than average instead of O(log N / log log N), at the cost of two random
 * reads per pick instead of a scan. Ties go to the first draw (itself random). O(1), no
 * allocation, no data-dependent branch.
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
    if (candidates instanceof Level<?> level) {
      return new FromStates(random, level.states, level.weights);
    }
    return key -> {
      long bits = random.nextLong();
      int first = RandomSource.reduce(bits >>> 32, n);
      int second = distinct(first, RandomSource.reduce(bits, n - 1));
      return choose(first, candidates.inFlight(first), candidates.weight(first),
          second, candidates.inFlight(second), candidates.weight(second));
    };
  }

  /**
   * The less loaded of the two, without a branch: the outcome is a coin toss on equal endpoints,
   * and a mispredicted branch would cost more than the rest of the pick.
   */
  private static int choose(
      int first, int firstInFlight, int firstWeight, int second, int secondInFlight,
      int secondWeight) {
    long firstLoad = (long) (firstInFlight + 1) * secondWeight;
    long secondLoad = (long) (secondInFlight + 1) * firstWeight;
    long secondIsLess = (secondLoad - firstLoad) >> 63;
    return first + (int) (secondIsLess & (second - first));
  }

  /** A second draw from {@code [0, n - 1)} mapped past {@code first}: distinct, uniform. */
  private static int distinct(int first, int draw) {
    return draw + (((draw - first) >>> 31) ^ 1);
  }

  /** The balancer's own candidates: reads in-flight counts straight from the endpoint states. */
  private static final class FromStates implements Selector {
    private final RandomSource random;
    private final EndpointState<?>[] states;
    private final int[] weights;

    FromStates(RandomSource random, EndpointState<?>[] states, int[] weights) {
      this.random = random;
      this.states = states;
      this.weights = weights;
    }

    @Override
    public int select(CharSequence key) {
      int n = states.length;
      long bits = random.nextLong();
      int first = RandomSource.reduce(bits >>> 32, n);
      int second = distinct(first, RandomSource.reduce(bits, n - 1));
      return choose(first, states[first].inFlight, weights[first],
          second, states[second].inFlight, weights[second]);
    }
  }

  @Override
  public String toString() {
    return "leastRequest";
  }
}
