package io.scaleblocks.lb;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One balancer's endpoint states: one per member address, in group order, plus the states of
 * addresses that left with calls in flight. Those are kept until their calls finish, and an
 * address that comes back meanwhile gets its old state back, so every finishing call is
 * subtracted from the count it was added to.
 *
 * <p>{@link #apply} runs under the balancer's lock; lookups are lock-free.
 */
final class Membership<T> {

  private final Map<T, EndpointState<T>> members = new ConcurrentHashMap<>();
  private final Map<T, EndpointState<T>> departed = new ConcurrentHashMap<>();
  /** Guarded: the members' states in group order. */
  private List<EndpointState<T>> ordered = List.of();

  /** The state of the member at {@code address}, or null. */
  EndpointState<T> member(T address) {
    return members.get(address);
  }

  /** The state of {@code address}, member or departed with calls in flight, or null. */
  EndpointState<T> any(T address) {
    EndpointState<T> state = members.get(address);
    return state != null ? state : departed.get(address);
  }

  /** A call on {@code address}, which is not a member, finished. */
  void departedCallFinished(T address) {
    EndpointState<T> gone = departed.get(address);
    if (gone != null && gone.callFinished() == 0) {
      departed.remove(address, gone);
    }
  }

  Collection<EndpointState<T>> members() {
    return members.values();
  }

  int size() {
    return members.size();
  }

  /** Guarded. */
  List<EndpointState<T>> ordered() {
    return ordered;
  }

  /**
   * Makes {@code endpoints} the membership; guarded. {@code joining} sees each new member's
   * state before it becomes visible, {@code leaving} each leaver's after it is marked removed.
   *
   * @return the states of the new members
   */
  List<EndpointState<T>> apply(List<Endpoint<T>> endpoints, Consumer<EndpointState<T>> joining,
      Consumer<EndpointState<T>> leaving) {
    List<EndpointState<T>> joined = new ArrayList<>();
    List<EndpointState<T>> next = new ArrayList<>(endpoints.size());
    for (Endpoint<T> endpoint : endpoints) {
      EndpointState<T> state = members.get(endpoint.address());
      if (state == null) {
        state = departed.remove(endpoint.address());
        if (state == null) {
          state = new EndpointState<>(endpoint);
        } else {
          state.rejoin(endpoint);
        }
        joining.accept(state);
        members.put(endpoint.address(), state);
        joined.add(state);
      } else {
        state.endpoint = endpoint;
      }
      next.add(state);
    }
    ordered = next;
    if (members.size() > next.size()) {
      removeLeavers(next, leaving);
    }
    return joined;
  }

  private void removeLeavers(List<EndpointState<T>> stay, Consumer<EndpointState<T>> leaving) {
    Map<EndpointState<T>, Boolean> present = new IdentityHashMap<>();
    stay.forEach(state -> present.put(state, Boolean.TRUE));
    members.values().removeIf(state -> {
      if (present.containsKey(state)) {
        return false;
      }
      state.removed = true;
      if (state.inFlight > 0) {
        departed.put(state.endpoint.address(), state);
      }
      leaving.accept(state);
      return true;
    });
  }
}
