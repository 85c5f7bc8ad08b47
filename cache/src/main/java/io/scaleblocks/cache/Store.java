package io.scaleblocks.cache;

import java.util.Map;
import java.util.Set;

/**
 * Writes to the source of truth for {@link CacheAside#write} and {@link CacheAside#delete}.
 * Implementations must be thread-safe; the write-back flusher calls the batch methods from its
 * own thread, one batch at a time.
 */
public interface Store<K, V> {

  void write(K key, V value) throws Exception;

  void delete(K key) throws Exception;

  /** Writes a batch; the default writes one by one. Must be idempotent: a failed batch is retried. */
  default void writeAll(Map<? extends K, ? extends V> entries) throws Exception {
    for (Map.Entry<? extends K, ? extends V> entry : entries.entrySet()) {
      write(entry.getKey(), entry.getValue());
    }
  }

  /** Deletes a batch; the default deletes one by one. Must be idempotent. */
  default void deleteAll(Set<? extends K> keys) throws Exception {
    for (K key : keys) {
      delete(key);
    }
  }
}
