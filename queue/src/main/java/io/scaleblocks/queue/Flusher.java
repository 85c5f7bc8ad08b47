package io.scaleblocks.queue;

import io.scaleblocks.queue.internal.WorkerStop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for asynchronous publishes to one topic log. Producers append on their own thread
 * and {@linkplain #register register} the offset their publish needs durable; one flush thread
 * forces the file (through the log's {@link Syncer}, so it shares forces with synchronous
 * publishers) whenever a registered offset is not durable yet, and then completes every
 * registration that force covered. There is no timer: an idle log's thread waits, a lone publish is
 * forced as soon as it is registered, and under load everything appended while one force runs
 * shares the next one. This is the log writer of group commit (DeWitt et al., "Implementation
 * techniques for main memory database systems", SIGMOD 1984) with the wait moved off the
 * producer's thread.
 *
 * <p>A future completes only after the force that covers it has returned. A failed force fails
 * every registration it covered with its {@link QueueException}; later ones wait for the next
 * force. {@link #close} lets the thread force once more for what is registered and fails whatever
 * is still not durable after that: no future is left pending.
 *
 * <p>Thread-safe. Registrations come in offset order (under the topic's append lock) and
 * complete in that order, on the flush thread: actions a caller chains to a future with the
 * non-{@code Async} methods of {@link CompletableFuture} run there and delay the next force.
 */
final class Flusher {

  private static final Logger LOG = LoggerFactory.getLogger(Flusher.class);

  private record Waiting(long end, CompletableFuture<Void> future) {}

  private final String name;
  private final Syncer syncer;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private final Thread thread;
  private boolean closed;

  /** Starts the flush thread, named {@code name}. */
  Flusher(String name, Syncer syncer) {
    this.name = name;
    this.syncer = syncer;
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * A future completed once every record below {@code end} is durable. Even one durable already is
   * completed by the flush thread, after those registered before it: in registration order.
   */
  CompletableFuture<Void> register(long end) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    lock.lock();
    try {
      if (closed) {
        future.completeExceptionally(new QueueException(name + " - closed before the publish"
            + " was durable"));
        return future;
      }
      waiting.addLast(new Waiting(end, future));
      work.signal();
    } finally {
      lock.unlock();
    }
    return future;
  }

  private void run() {
    try {
      while (true) {
        // a callback run by complete() may leave this thread interrupted; nobody else interrupts it
        Thread.interrupted();
        long target;
        lock.lock();
        try {
          while (waiting.isEmpty() && !closed) {
            work.await();
          }
          if (waiting.isEmpty()) {
            return;
          }
          target = waiting.peekLast().end();
        } finally {
          lock.unlock();
        }
        try {
          syncer.sync(target, true);
          complete(syncer.durable(), null);
        } catch (Syncer.ForceFailed e) {
          // not durable(): a force that succeeded since must not complete what this one failed
          complete(e.durableBefore(), null);
          complete(e.covered(), e);
        } catch (RuntimeException e) {
          complete(syncer.durable(), null);
          complete(target, new QueueException(name + " - fsync failed: " + e, e));
        }
      }
    } catch (InterruptedException e) {
      LOG.warn("{} - flush thread interrupted; pending publishes fail", name);
    } catch (Error e) {
      complete(Long.MAX_VALUE, new QueueException(name + " - flush thread died: " + e, e));
      throw e;
    } finally {
      lock.lock();
      try {
        closed = true;
      } finally {
        lock.unlock();
      }
      complete(Long.MAX_VALUE, new QueueException(name + " - closed before the publish was"
          + " durable"));
    }
  }

  /** Completes (or with {@code failure}, fails) every registration with an end up to {@code end}. */
  private void complete(long end, QueueException failure) {
    List<Waiting> done = new ArrayList<>();
    lock.lock();
    try {
      while (!waiting.isEmpty() && waiting.peekFirst().end() <= end) {
        done.add(waiting.pollFirst());
      }
    } finally {
      lock.unlock();
    }
    for (Waiting w : done) {
      if (failure == null) {
        w.future().complete(null);
      } else {
        w.future().completeExceptionally(failure);
      }
    }
  }

  /**
   * Stops taking registrations, lets the thread force once more for those it has, and waits for
   * it (bounded); whatever is then still pending fails.
   */
  void close() {
    WorkerStop.stop(lock, () -> {
      closed = true;
      work.signal();
    }, thread, LOG, name, "flush thread");
    complete(Long.MAX_VALUE, new QueueException(name + " - closed before the publish was"
        + " durable"));
  }
}
