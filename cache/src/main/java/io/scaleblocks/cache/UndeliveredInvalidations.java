package io.scaleblocks.cache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Backend invalidations that failed (Redis down, slow, or its circuit open), kept until they are
 * delivered. While a key is here, this instance neither reads nor fills it in the backend, whose
 * copy may be the replaced value: its reads go to the loader. {@link #retry} delivers them.
 *
 * <p>Thread-safe. {@link #bypasses} is a read of an empty map on the usual path.
 */
final class UndeliveredInvalidations<K> {

  /** Key → the token of its newest failed invalidation, so a retry removes only what it delivered. */
  private final Map<K, Object> keys = new ConcurrentHashMap<>();

  /** Whether {@code key} has an invalidation not yet delivered, so must bypass the backend. */
  boolean bypasses(K key) {
    return !keys.isEmpty() && keys.containsKey(key);
  }

  /** Remembers that the invalidation of {@code key} failed. */
  void add(K key) {
    keys.put(key, new Object());
  }

  int size() {
    return keys.size();
  }

  /** Tries to deliver each; forgets those {@code deliver} returns true for. Returns how many are left. */
  int retry(Predicate<K> deliver) {
    for (Map.Entry<K, Object> entry : keys.entrySet()) {
      if (deliver.test(entry.getKey())) {
        keys.remove(entry.getKey(), entry.getValue());
      }
    }
    return keys.size();
  }
}
