package io.scaleblocks.cache;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises the writers of one key: a {@link CacheAside#write} holds its key's lock across the
 * store write and the cache update, so two writes of a key reach the store and the cache in the
 * same order. Striped: keys share {@value #STRIPES} locks, so a collision only serialises two
 * unrelated writes. {@link ReentrantLock}, not {@code synchronized}: store writes block on I/O.
 *
 * <p>Thread-safe.
 */
final class KeyLocks {

  static final int STRIPES = 1024;

  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

  KeyLocks() {
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  ReentrantLock of(Object key) {
    int h = key.hashCode() * 0x9E3779B9;
    return locks[(h ^ (h >>> 16)) & (STRIPES - 1)];
  }
}
