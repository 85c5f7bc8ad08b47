package io.scaleblocks.lb;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * The live set of endpoints a balancer spreads traffic over.
 *
 * <p>Thread-safe. Changes are serialised by a lock and each one publishes a new immutable
 * snapshot; {@link #endpoints()} is a lock-free read of the latest one. Subscribers run
 * synchronously on the changing thread, in registration order, before the change method
 * returns: a balancer built on this group has swapped in its new selection state by then, so a
 * pick that begins after {@link #remove} returns never sees the removed endpoint. See
 * {@link #subscribe} for what a subscriber may do.
 *
 * <p>Addresses are unique: adding an endpoint whose address is already present is an error
 * (use {@link #update} to change its weight, zone or metadata).
 *
 * @param <T> the address type
 */
public interface EndpointGroup<T> {

  /** A group holding {@code endpoints}, in that order. */
  static <T> EndpointGroup<T> of(Collection<Endpoint<T>> endpoints) {
    MutableEndpointGroup<T> group = new MutableEndpointGroup<>();
    group.replaceAll(endpoints);
    return group;
  }

  /** A group holding {@code endpoints}, in that order. */
  @SafeVarargs
  static <T> EndpointGroup<T> of(Endpoint<T>... endpoints) {
    List<Endpoint<T>> list = new ArrayList<>(endpoints.length);
    for (Endpoint<T> endpoint : endpoints) {
      list.add(endpoint);
    }
    return of(list);
  }

  /** The current endpoints, in the order they were added; an immutable snapshot. */
  List<Endpoint<T>> endpoints();

  /**
   * Adds an endpoint.
   *
   * @throws IllegalArgumentException if its address is already in the group
   */
  void add(Endpoint<T> endpoint);

  /**
   * Removes the endpoint with {@code address}.
   *
   * @return whether it was present
   */
  boolean remove(T address);

  /**
   * Replaces the endpoint with the same address (a new weight, zone or metadata), keeping its
   * position, health history and in-flight count.
   *
   * @throws IllegalArgumentException if no endpoint has that address
   */
  void update(Endpoint<T> endpoint);

  /**
   * Replaces the whole membership in one change, as a service-discovery refresh does. Endpoints
   * whose address survives keep their health history.
   *
   * @throws IllegalArgumentException if two endpoints share an address
   */
  void replaceAll(Collection<Endpoint<T>> endpoints);

  /**
   * Calls {@code listener} with every new snapshot, starting with the current one.
   *
   * <p>Subscribers are called after the change is published and outside the lock that
   * serialises changes, one delivery at a time, so each sees the snapshots in order (it may skip
   * one that a newer change replaced before its turn). Each subscriber is called in its own
   * {@code try}: what it throws is logged, neither fails the change nor keeps it from the
   * subscribers after it. A subscriber may change the group on its own thread (that change is
   * delivered before its call returns); it must not wait for another thread that changes the
   * group, since that thread waits for the delivery in progress.
   *
   * @return a handle that unregisters the listener
   */
  AutoCloseable subscribe(Consumer<List<Endpoint<T>>> listener);
}
