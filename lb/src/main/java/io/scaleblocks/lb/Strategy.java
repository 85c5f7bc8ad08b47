package io.scaleblocks.lb;

/**
 * A way of spreading requests over endpoints: round robin, smooth weighted round robin, random,
 * weighted random, consistent hashing, least-request, sticky. Obtain them from
 * {@link Strategies}.
 *
 * <p>A strategy is a stateless, thread-safe factory. The balancer calls {@link #selector} off the
 * hot path whenever its view of the endpoints changes (membership, weights, health), passing the
 * selector it replaces so that state worth keeping (a round-robin cursor, a consistent-hash
 * placement to update incrementally) survives the change. {@code selector} runs under the
 * balancer's lock, so it must not block or call back into the balancer or its group.
 */
public interface Strategy {

  /**
   * A selector over {@code candidates}.
   *
   * @param candidates at least one endpoint
   * @param previous the selector being replaced, built by this strategy for the same balancer and
   *     locality level, or {@code null} for the first one
   */
  Selector selector(Candidates candidates, Selector previous);
}
