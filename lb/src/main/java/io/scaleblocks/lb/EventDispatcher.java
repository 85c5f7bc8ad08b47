package io.scaleblocks.lb;

import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one balancer's events to its {@link LoadBalancerListener}s. State changes (health
 * verdicts, ejections, endpoints leaving) are queued while the balancer holds its lock and
 * delivered by {@link #drain()} after the lock is released and the new snapshot is published:
 * in the order they were queued, by one thread at a time, each listener in its own {@code try}.
 * What a listener throws, an {@link Error} included, is logged and goes no further; only a
 * {@link VirtualMachineError} other than a {@link StackOverflowError} is rethrown after logging. Picks and retries happen outside any
 * lock and go straight to the listeners on the calling thread.
 *
 * <p>Thread-safe. A listener that calls back into the balancer or its group (from the same or
 * another thread) cannot deadlock it: no lock is held while a listener runs.
 */
final class EventDispatcher<T> {

  private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);

  private final String name;
  private final ReentrantLock registration = new ReentrantLock();
  private final Queue<Consumer<LoadBalancerListener<T>>> queued = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  @SuppressWarnings({"unchecked", "rawtypes"})
  private volatile LoadBalancerListener<T>[] listeners = new LoadBalancerListener[0];

  EventDispatcher(String name) {
    this.name = name;
  }

  void add(LoadBalancerListener<T> listener) {
    registration.lock();
    try {
      LoadBalancerListener<T>[] next = Arrays.copyOf(listeners, listeners.length + 1);
      next[next.length - 1] = listener;
      listeners = next;
    } finally {
      registration.unlock();
    }
  }

  /** Queues an event; call {@link #drain()} once the state it reports is published. */
  void queue(Consumer<LoadBalancerListener<T>> event) {
    queued.add(event);
  }

  boolean hasQueued() {
    return !queued.isEmpty();
  }

  /**
   * Delivers the queued events, unless another thread is delivering already: that thread then
   * delivers these too, after its own, so events keep their order. Call with no lock held.
   */
  void drain() {
    if (pending.getAndIncrement() != 0) {
      return;
    }
    boolean finished = false;
    try {
      int missed = 1;
      do {
        Consumer<LoadBalancerListener<T>> event;
        while ((event = queued.poll()) != null) {
          deliver(event);
        }
        missed = pending.addAndGet(-missed);
      } while (missed != 0);
      finished = true;
    } finally {
      if (!finished) {
        // Only a VirtualMachineError gets here. Whatever is still queued goes out with the next
        // drain, which this reset lets run: delivery must never stop for good.
        pending.set(0);
      }
    }
  }

  /** Delivers {@code event} at once on the calling thread. */
  void deliver(Consumer<LoadBalancerListener<T>> event) {
    for (LoadBalancerListener<T> listener : listeners) {
      try {
        event.accept(listener);
      } catch (Throwable e) {
        log.warn("{} - listener {} failed; the balancer carries on", name, listener, e);
        rethrowIfFatal(e);
      }
    }
  }

  /** A pick, on the hot path: no queue, no allocation. */
  void onPick(Endpoint<T> endpoint) {
    for (LoadBalancerListener<T> listener : listeners) {
      try {
        listener.onPick(endpoint);
      } catch (Throwable e) {
        log.warn("{} - listener {} failed on a pick", name, listener, e);
        rethrowIfFatal(e);
      }
    }
  }

  /**
   * Rethrows {@code failure} if the JVM itself is failing (a {@link VirtualMachineError}: out of
   * memory, an internal error); any other {@link Throwable} of a listener, an {@link Error} such
   * as {@link AssertionError} or {@link NoClassDefFoundError} included, is only logged. A
   * {@link StackOverflowError} is a listener's failure too: its stack is unwound by the time it
   * is caught here.
   */
  static void rethrowIfFatal(Throwable failure) {
    if (failure instanceof VirtualMachineError fatal && !(fatal instanceof StackOverflowError)) {
      throw fatal;
    }
  }
}
