package io.scaleblocks.lb;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only {@link EndpointGroup}: copy-on-write, see the interface contract. Two locks: {@link
 * #changes} serialises edits and is never held while a subscriber runs; {@link #delivery}
 * serialises deliveries, so subscribers see versions in order. A delivery hands each subscriber
 * the newest version it has not seen yet; a change made by a subscriber (on the same thread) is
 * delivered before the outer delivery goes on, and the outer one then skips what is stale.
 */
final class MutableEndpointGroup<T> implements EndpointGroup<T> {

  private static final Logger log = LoggerFactory.getLogger(MutableEndpointGroup.class);

  private final ReentrantLock changes = new ReentrantLock();
  private final ReentrantLock delivery = new ReentrantLock();
  private final List<Subscriber<T>> subscribers = new CopyOnWriteArrayList<>();
  private volatile Version<T> current = new Version<>(0, List.of());

  private record Version<T>(long number, List<Endpoint<T>> endpoints) {}

  private static final class Subscriber<T> {
    final Consumer<List<Endpoint<T>>> listener;
    /** Guarded by the delivery lock. */
    long seen = -1;

    Subscriber(Consumer<List<Endpoint<T>>> listener) {
      this.listener = listener;
    }
  }

  @Override
  public List<Endpoint<T>> endpoints() {
    return current.endpoints();
  }

  @Override
  public void add(Endpoint<T> endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    change(existing -> {
      List<Endpoint<T>> next = new ArrayList<>(existing);
      next.add(endpoint);
      return next;
    });
  }

  @Override
  public boolean remove(T address) {
    Objects.requireNonNull(address, "address");
    boolean[] removed = {false};
    change(existing -> {
      int index = indexOf(existing, address);
      if (index < 0) {
        return null;
      }
      List<Endpoint<T>> next = new ArrayList<>(existing);
      next.remove(index);
      removed[0] = true;
      return next;
    });
    return removed[0];
  }

  @Override
  public void update(Endpoint<T> endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    change(existing -> {
      int index = indexOf(existing, endpoint.address());
      if (index < 0) {
        throw new IllegalArgumentException("no endpoint " + endpoint.id() + " to update");
      }
      List<Endpoint<T>> next = new ArrayList<>(existing);
      next.set(index, endpoint);
      return next;
    });
  }

  @Override
  public void replaceAll(Collection<Endpoint<T>> replacement) {
    List<Endpoint<T>> next = List.copyOf(replacement);
    change(existing -> next);
  }

  @Override
  public AutoCloseable subscribe(Consumer<List<Endpoint<T>>> listener) {
    Objects.requireNonNull(listener, "listener");
    Subscriber<T> subscriber = new Subscriber<>(listener);
    delivery.lock();
    try {
      subscribers.add(subscriber);
      Version<T> latest = current;
      subscriber.seen = latest.number();
      listener.accept(latest.endpoints());
    } finally {
      delivery.unlock();
    }
    return () -> subscribers.remove(subscriber);
  }

  private void change(UnaryOperator<List<Endpoint<T>>> edit) {
    changes.lock();
    try {
      List<Endpoint<T>> next = edit.apply(current.endpoints());
      if (next == null) {
        return;
      }
      List<Endpoint<T>> published = List.copyOf(next);
      checkUnique(published);
      current = new Version<>(current.number() + 1, published);
    } finally {
      changes.unlock();
    }
    deliver();
  }

  /** Hands every subscriber the newest version it has not seen; each in its own try. */
  private void deliver() {
    delivery.lock();
    try {
      Version<T> latest = current;
      for (Subscriber<T> subscriber : subscribers) {
        if (subscriber.seen >= latest.number()) {
          continue;
        }
        subscriber.seen = latest.number();
        try {
          subscriber.listener.accept(latest.endpoints());
        } catch (Throwable e) {
          log.warn("endpoint group subscriber {} failed on a change to {} endpoints",
              subscriber.listener, latest.endpoints().size(), e);
          EventDispatcher.rethrowIfFatal(e);
        }
        latest = current;
      }
    } finally {
      delivery.unlock();
    }
  }

  /** Addresses and ids are unique: hashing and stickiness know an endpoint by its id. */
  private static <T> void checkUnique(List<Endpoint<T>> endpoints) {
    Set<T> addresses = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (Endpoint<T> endpoint : endpoints) {
      if (!addresses.add(endpoint.address())) {
        throw new IllegalArgumentException("duplicate endpoint " + endpoint.id());
      }
      if (!ids.add(endpoint.id())) {
        throw new IllegalArgumentException("two endpoints have the id " + endpoint.id()
            + " (their addresses differ but print alike); ids must be unique, since hashing"
            + " and sticky cookies know an endpoint by its id");
      }
    }
  }

  private static <T> int indexOf(List<Endpoint<T>> endpoints, T address) {
    for (int i = 0; i < endpoints.size(); i++) {
      if (endpoints.get(i).address().equals(address)) {
        return i;
      }
    }
    return -1;
  }
}
