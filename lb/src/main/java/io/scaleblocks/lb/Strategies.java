package io.scaleblocks.lb;

import io.scaleblocks.sharding.HashFunction;
import io.scaleblocks.sharding.Hashing;
import java.util.Objects;

/**
 * The selection strategies. Every strategy is O(1) per pick (consistent hashing: the placement's
 * lookup) and allocates nothing per pick.
 */
public final class Strategies {

  private Strategies() {}

  /**
   * Plain round robin over the candidates, ignoring weights. Each thread advances its own stripe
   * of the cursor (see the class comment of the smooth variant for the trade-off); the cursor
   * starts at a random position and is never reset by membership changes.
   */
  public static Strategy roundRobin() {
    return new RoundRobinStrategy(false, 1);
  }

  /**
   * Smooth weighted round robin: exact weights, spread out rather than in bursts. Over every
   * prefix of the schedule each endpoint's count is within less than 1 of its ideal share (for
   * weights {5, 1, 1}: {@code a a a b a a c}, never more than three {@code a} in a row across
   * periods, where nginx's rule gives four). O(1) per pick: the schedule is precomputed per
   * snapshot, O(P log N) to build and O(P) ints to hold, P = sum of weights / their gcd; past
   * 2^22 slots the weights are scaled down proportionally.
   *
   * <p>Trade-off: threads advance separate cursor stripes to avoid contention, so the smoothness
   * and exactness hold per thread (and per stripe), and across all threads up to one pick per
   * thread and schedule period.
   */
  public static Strategy smoothWeightedRoundRobin() {
    return new RoundRobinStrategy(true, 1);
  }

  /** Uniform random over the candidates, ignoring weights. */
  public static Strategy random() {
    return new RandomStrategy(false, RandomSource.THREAD_LOCAL);
  }

  /** Random in proportion to the weights, by the alias method: O(1) per pick. */
  public static Strategy weightedRandom() {
    return new RandomStrategy(true, RandomSource.THREAD_LOCAL);
  }

  /**
   * Least request by the power of two choices, weighted: of two random candidates, the one with
   * fewer calls in flight per unit of weight. In-flight counts come from
   * {@link LoadBalancer#callStarted} / {@link LoadBalancer#callFinished}, which
   * {@link FailoverExecutor} and {@link LoadBalancedHttpClient} call for you.
   */
  public static Strategy leastRequest() {
    return new LeastRequestStrategy(RandomSource.THREAD_LOCAL);
  }

  /**
   * Client-IP hash: {@link #keyHash(HashFunction)} with xxHash64, to be picked with the client's
   * address as the key. The same client reaches the same endpoint while it is available; removing
   * or losing one of N endpoints remaps only the 1/N of clients it served.
   */
  public static Strategy ipHash() {
    return new ConsistentHashStrategy(Hashing.xxHash64(), "ipHash", true);
  }

  /**
   * Consistent key hash through the {@code sharding} module's default placement (MementoHash):
   * the same key reaches the same endpoint while it is available; when an endpoint leaves, only
   * its keys move (and they move back when it returns, if no other endpoint left since). A null
   * key picks at random.
   */
  public static Strategy keyHash(HashFunction hashFunction) {
    return new ConsistentHashStrategy(
        Objects.requireNonNull(hashFunction, "hashFunction"), "keyHash", false);
  }

  /**
   * Sticky by cookie: a key equal to an endpoint's {@link Endpoint#id()} goes to that endpoint
   * while it is healthy; any other key, a null key, or a key whose endpoint is gone or
   * unhealthy goes to {@code fallback}.
   */
  public static Strategy sticky(Strategy fallback) {
    return new StickyStrategy(Objects.requireNonNull(fallback, "fallback"));
  }
}
