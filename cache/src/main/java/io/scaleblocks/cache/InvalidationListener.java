package io.scaleblocks.cache;

/** Receives invalidations that other instances publish through a shared backend. */
public interface InvalidationListener<K> {

  /** Another instance changed or invalidated {@code key}. */
  void invalidated(K key);

  /** The channel was lost: invalidations may be missed from now on. */
  void disconnected();

  /** The channel is back; invalidations sent while it was down were missed. */
  void reconnected();
}
