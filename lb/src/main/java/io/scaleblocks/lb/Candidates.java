package io.scaleblocks.lb;

/**
 * The endpoints one {@link Selector} chooses among: an immutable, indexed view built off the hot
 * path from the group's membership, after health, ejection, panic and locality have been applied.
 * {@link #weight} is the effective weight (the configured one, reduced during slow start), never
 * less than 1. {@link #inFlight} is the only live value: the number of calls started and not yet
 * finished on that endpoint.
 *
 * <p>A service-provider interface: only custom {@link Strategy} implementations need it.
 */
public interface Candidates {

  /** The number of candidates, at least 1. */
  int size();

  /** The candidate at {@code index}. */
  Endpoint<?> endpoint(int index);

  /** Its effective weight, at least 1. */
  int weight(int index);

  /** Its calls in flight right now. */
  int inFlight(int index);
}
