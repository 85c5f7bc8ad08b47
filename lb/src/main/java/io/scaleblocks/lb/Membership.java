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
 * addresses that are not members but have calls in flight (they left with calls running, or a
 * call started on them while they were out). Those are kept until their calls finish, and an
 * address that comes back meanwhile gets its old state back, so every finishing call is
 * subtracted from the count it was added to.
 *
 * <p>The methods marked guarded run under the balancer's lock; lookups are lock-free.
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

  /**
   * A call on {@code endpoint} was counted on {@code counted} (null: no state was found) while
   * that state was not, or stopped being, a member: moves the count to the state the address is
   * tracked by, made (departed, so a re-add takes it over) if there is none. Guarded. The count
   * thus stays per address across removals and re-adds: a call that started while its address
   * was out and finishes after it came back is subtracted from the count it was added to.
   */
  void recountStarted(Endpoint<T> endpoint, EndpointState<T> counted) {
    T address = endpoint.address();
    EndpointState<T> tracked = any(address);
    if (tracked != null && tracked == counted) {
      return;
    }
    if (counted != null) {
      counted.callFinished();
    }
    if (tracked == null) {
      tracked = new EndpointState<>(endpoint);
      tracked.removed = true;
      departed.put(address, tracked);
    }
    tracked.callStarted();
  }

  /** A call on {@code address} finished while it was not a member; guarded. */
  void departedCallFinished(T address) {
    EndpointState<T> state = any(address);
    if (state != null && state.callFinished() == 0 && state.removed) {
      departed.remove(address, state);
    }
  }

  /** Drops {@code state}, removed from the group, once it has no call in flight; guarded. */
  void forgetIfIdle(EndpointState<T> state) {
    if (state.removed && state.inFlight == 0) {
      departed.remove(state.endpoint.address(), state);
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
