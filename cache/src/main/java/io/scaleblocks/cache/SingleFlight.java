package io.scaleblocks.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * At most one load per key at a time: the first caller of a key claims a {@link Flight} and
 * loads; callers that arrive meanwhile wait for its result instead of loading again.
 *
 * <p>A wait that could never end is refused with an {@link IllegalStateException}: waiting for a
 * load that this very thread runs (a loader asked the cache for its own key), or for a load whose
 * loader waits, through the flights of any instance, for a load this thread runs (loaders that
 * read each other's keys, in one cache or across caches).
 *
 * <p>Thread-safe. A flight is claimed with {@link #claim} and ended with {@link #land} or
 * {@link #fail}, which also free its key for the next load; {@link #run} does both for one key.
 *
 * @param <K> the key type
 * @param <R> what a load produces
 */
final class SingleFlight<K, R> {

  /** The flight each thread now waits for, in every instance: what a wait follows to find a cycle. */
  private static final ConcurrentHashMap<Thread, Flight<?>> WAITING = new ConcurrentHashMap<>();

  private final String name;
  private final ConcurrentHashMap<K, Flight<R>> flights = new ConcurrentHashMap<>();

  /** {@code name} is the cache's, for the messages of refused waits. */
  SingleFlight(String name) {
    this.name = name;
  }

  /** A load in progress, and the thread running its loader (null until a background load starts). */
  static final class Flight<R> extends CompletableFuture<R> {
    private volatile Thread loader;

    Flight(Thread loader) {
      this.loader = loader;
    }

    /** Names the thread that runs the load, once a background load has started. */
    void startedBy(Thread thread) {
      loader = thread;
    }
  }

  /**
   * Runs {@code load} for {@code key} as its flight, or, if a flight for the key is already
   * running, waits for that one's result. A failure of the load reaches its waiters too.
   */
  R run(K key, Supplier<R> load) {
    Flight<R> flight = new Flight<>(Thread.currentThread());
    Flight<R> running = claim(key, flight);
    if (running != null) {
      return await(key, running);
    }
    try {
      R result = load.get();
      flight.complete(result);
      return result;
    } catch (RuntimeException | Error e) {
      flight.completeExceptionally(e);
      throw e;
    } finally {
      end(key, flight);
    }
  }

  /**
   * Makes {@code flight} the key's flight; returns null if it now is, or the flight already
   * running for the key, which the caller awaits instead.
   */
  Flight<R> claim(K key, Flight<R> flight) {
    return flights.putIfAbsent(key, flight);
  }

  /** Whether a flight for {@code key} is running. */
  boolean isRunning(K key) {
    return flights.containsKey(key);
  }

  /**
   * Frees the key without ending its flight: callers that already wait keep its result, and a
   * caller that comes later starts a new load. For a write that a running load may predate.
   */
  void detach(K key) {
    flights.remove(key);
  }

  /** {@link #detach} for every key. */
  void detachAll() {
    flights.clear();
  }

  /** Hands {@code result} to the flight's waiters and frees the key for the next load. */
  void land(K key, Flight<R> flight, R result) {
    flight.complete(result);
    end(key, flight);
  }

  /** Hands {@code failure} to the flight's waiters, unless it already landed, and frees the key. */
  void fail(K key, Flight<R> flight, Throwable failure) {
    flight.completeExceptionally(failure);
    end(key, flight);
  }

  /** Frees the key, if {@code flight} still holds it. */
  private void end(K key, Flight<R> flight) {
    flights.remove(key, flight);
  }

  /**
   * Waits for another caller's flight for {@code key} and returns its result, or throws the
   * runtime exception its load failed with. Refuses, before waiting, a wait that could never end
   * (see the class description).
   *
   * @throws IllegalStateException if {@code running} waits, directly or through other flights,
   *     for a load this thread runs
   */
  R await(K key, Flight<R> running) {
    Thread self = Thread.currentThread();
    if (running.loader == self) {
      throw new IllegalStateException(name + " - the loader of " + key
          + " asked this cache for the same key; a loader must read its source, not the cache, for the key it loads");
    }
    WAITING.put(self, running);
    try {
      if (leadsBackTo(self, running)) {
        throw new IllegalStateException(name + " - the load of " + key + " waits, through other loaders, for a load"
            + " that this loader runs; loaders that read each other's keys through a cache would wait forever");
      }
      return running.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw e;
    } finally {
      WAITING.remove(self);
    }
  }

  /**
   * Whether following "the loader of this unfinished flight waits for that one" from
   * {@code flight} reaches a flight that {@code self} runs. The caller has published its own wait
   * in {@link #WAITING} first, so of two loaders closing a cycle at once, at least one sees it.
   * Finished flights end the walk, so a wait that has just ended cannot raise a false cycle.
   */
  private static boolean leadsBackTo(Thread self, Flight<?> flight) {
    for (int hops = 0; flight != null && !flight.isDone() && hops <= WAITING.size(); hops++) {
      Thread loader = flight.loader;
      if (loader == self) {
        return true;
      }
      if (loader == null) {
        return false;
      }
      flight = WAITING.get(loader);
    }
    return false;
  }
}
