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

/** The only {@link EndpointGroup}: copy-on-write under a lock, see the interface contract. */
final class MutableEndpointGroup<T> implements EndpointGroup<T> {

  private final ReentrantLock lock = new ReentrantLock();
  private final List<Consumer<List<Endpoint<T>>>> listeners = new CopyOnWriteArrayList<>();
  private volatile List<Endpoint<T>> endpoints = List.of();

  @Override
  public List<Endpoint<T>> endpoints() {
    return endpoints;
  }

  @Override
  public void add(Endpoint<T> endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    change(current -> {
      if (indexOf(current, endpoint.address()) >= 0) {
        throw new IllegalArgumentException("duplicate endpoint " + endpoint.id());
      }
      List<Endpoint<T>> next = new ArrayList<>(current);
      next.add(endpoint);
      return next;
    });
  }

  @Override
  public boolean remove(T address) {
    Objects.requireNonNull(address, "address");
    boolean[] removed = {false};
    change(current -> {
      int index = indexOf(current, address);
      if (index < 0) {
        return null;
      }
      List<Endpoint<T>> next = new ArrayList<>(current);
      next.remove(index);
      removed[0] = true;
      return next;
    });
    return removed[0];
  }

  @Override
  public void update(Endpoint<T> endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    change(current -> {
      int index = indexOf(current, endpoint.address());
      if (index < 0) {
        throw new IllegalArgumentException("no endpoint " + endpoint.id() + " to update");
      }
      List<Endpoint<T>> next = new ArrayList<>(current);
      next.set(index, endpoint);
      return next;
    });
  }

  @Override
  public void replaceAll(Collection<Endpoint<T>> replacement) {
    List<Endpoint<T>> next = List.copyOf(replacement);
    Set<T> seen = new HashSet<>();
    for (Endpoint<T> endpoint : next) {
      if (!seen.add(endpoint.address())) {
        throw new IllegalArgumentException("duplicate endpoint " + endpoint.id());
      }
    }
    change(current -> next);
  }

  @Override
  public AutoCloseable subscribe(Consumer<List<Endpoint<T>>> listener) {
    Objects.requireNonNull(listener, "listener");
    lock.lock();
    try {
      listeners.add(listener);
      listener.accept(endpoints);
    } finally {
      lock.unlock();
    }
    return () -> listeners.remove(listener);
  }

  private void change(UnaryOperator<List<Endpoint<T>>> edit) {
    lock.lock();
    try {
      List<Endpoint<T>> next = edit.apply(endpoints);
      if (next == null) {
        return;
      }
      List<Endpoint<T>> published = List.copyOf(next);
      endpoints = published;
      for (Consumer<List<Endpoint<T>>> listener : listeners) {
        listener.accept(published);
      }
    } finally {
      lock.unlock();
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
