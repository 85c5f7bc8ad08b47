package io.scaleblocks.lb;

import java.util.List;

/**
 * Picks an endpoint of an {@link EndpointGroup} for each request.
 *
 * <p>Thread-safe. A pick is a lock-free read of an immutable snapshot plus the strategy's O(1)
 * selection; it never blocks and allocates nothing. Everything that changes the snapshot
 * (membership, weights, active health verdicts, outlier ejections, slow-start ramps, locality
 * spill-over, panic mode) rebuilds it off the hot path, under a lock, and swaps it in. A pick
 * never returns an endpoint that was removed from the group before the pick began.
 *
 * <p>Health composes with every strategy: outside panic mode, only available endpoints (healthy
 * and not ejected) are candidates. Panic is decided per locality level (a zone, or the whole
 * group without locality routing), as Envoy decides it per priority level: while the normalised
 * total health (the sum over the levels of {@code min(1, overprovisioningFactor * h)}, h a
 * level's share of available endpoints; factor 1.4 without locality) is below 1, a level with
 * fewer than the panic threshold of its endpoints available (default
 * {@value LoadBalancerBuilder#DEFAULT_PANIC_THRESHOLD}) balances its share of the traffic over
 * all its endpoints: sending some traffic to endpoints that may be down beats overloading the
 * few that are up. At 1, no level panics: each routes over its available endpoints and what it
 * cannot take goes to the next. A zone's share comes from its real availability first, so a zone with no
 * available endpoint gets no traffic while another has one; with none available anywhere,
 * traffic goes over every endpoint. A pick throws {@link NoEndpointAvailableException} only when
 * the group is empty, or no endpoint is available and the threshold is 0.
 *
 * <p>Listeners ({@link #addListener}) never run under the balancer's lock; see
 * {@link LoadBalancerListener} for their threads and failure handling.
 *
 * @param <T> the address type
 */
public interface LoadBalancer<T> extends AutoCloseable {

  /** A builder over {@code group}. */
  static <T> LoadBalancerBuilder<T> builder(EndpointGroup<T> group) {
    return new LoadBalancerBuilder<>(group);
  }

  /** The name used in logs and metrics. */
  String name();

  /**
   * An endpoint for a request with no affinity key.
   *
   * @throws NoEndpointAvailableException if there is none (see the class comment)
   */
  Endpoint<T> pick();

  /**
   * An endpoint for a request with affinity {@code key} (client IP, user id, cookie value), for
   * hashing and sticky strategies; others ignore the key.
   *
   * @throws NoEndpointAvailableException if there is none (see the class comment)
   */
  Endpoint<T> pick(CharSequence key);

  /**
   * A call to {@code endpoint} begins: counts it in flight (least-request reads this). The count
   * is per address: a call that starts while its endpoint is out of the group is counted too, and
   * an endpoint re-added while such calls run comes back with them in flight.
   */
  void callStarted(Endpoint<T> endpoint);

  /**
   * The call begun by {@link #callStarted} ended; its outcome feeds outlier detection. A call on
   * an endpoint that left the group meanwhile still leaves the in-flight count (kept for the
   * address while its calls run, and handed back if it rejoins), but its outcome is ignored.
   * The count never goes below zero.
   */
  void callFinished(Endpoint<T> endpoint, boolean success);

  /** The state of every endpoint of the group, in group order. */
  List<EndpointStatus<T>> status();

  /**
   * Whether a locality level that receives traffic is in panic mode (routing over all its
   * endpoints, healthy or not).
   */
  boolean panicking();

  /** Adds a listener (metrics binders use this); it sees events from now on. */
  void addListener(LoadBalancerListener<T> listener);

  /**
   * Re-evaluates time-driven state now: expired ejections, failure-rate windows, slow-start
   * ramps. The balancer does this by itself every refresh interval; call it to act on a change
   * of an injected clock.
   */
  void refresh();

  /** Stops health checking and the refresh schedule, and detaches from the group. */
  @Override
  void close();
}
