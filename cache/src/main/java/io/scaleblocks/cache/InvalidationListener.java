package io.scaleblocks.cache;

import java.util.function.Predicate;

/**
 * Receives invalidations that other instances publish through a shared backend.
 *
 * <p>A backend may have several channels (a sharded backend has one per node). Each channel is
 * named by the predicate of the keys whose invalidations it carries, and passes that same
 * instance to every {@link #disconnected(Predicate)} and {@link #reconnected(Predicate)} it
 * sends: the listener tells channels apart by identity, so that one channel's loss distrusts
 * only its keys and one channel's return does not vouch for another that is still down. A
 * backend with a single channel passes {@link #EVERY_KEY}, which the no-argument methods do.
 *
 * <p>Why a predicate per call rather than a listener per channel: the listener owns the trust
 * state, and a channel need only say which keys it speaks for; a backend that wraps others (as
 * the sharded one does) narrows its nodes' predicates without the near cache knowing its shape.
 * Checking a key against a predicate happens only off the hit path, after the bound ran out.
 *
 * <p>Calls may come from any thread, one channel's calls in order.
 */
public interface InvalidationListener<K> {

  /** The channel of a backend that carries every key's invalidations. */
  Predicate<Object> EVERY_KEY = key -> true;

  /** An invalidation whose publisher is not known: every listener applies it. */
  long NO_ORIGIN = 0;

  /** Another instance changed or invalidated {@code key}. */
  void invalidated(K key);

  /**
   * A cache with id {@code origin} (see {@link CacheBackend#invalidate(Object, long)}) changed or
   * invalidated {@code key}; {@link #NO_ORIGIN} for a message that names no publisher, as older
   * versions send. A near cache ignores the echo of its own invalidations. The default calls
   * {@link #invalidated(Object)}.
   */
  default void invalidated(K key, long origin) {
    invalidated(key);
  }

  /**
   * The channel that carries the invalidations of the keys {@code covers} accepts is lost (or
   * not yet confirmed): invalidations of those keys may be missed from now on. A repeated call
   * for a channel that is already down changes nothing.
   */
  void disconnected(Predicate<? super K> covers);

  /**
   * The channel for the keys {@code covers} accepts is (back) up; invalidations of those keys
   * sent while it was down were missed. Other channels that are down stay down.
   */
  void reconnected(Predicate<? super K> covers);

  /** {@link #disconnected(Predicate)} for a backend's single channel. */
  default void disconnected() {
    disconnected(EVERY_KEY);
  }

  /** {@link #reconnected(Predicate)} for a backend's single channel. */
  default void reconnected() {
    reconnected(EVERY_KEY);
  }
}
