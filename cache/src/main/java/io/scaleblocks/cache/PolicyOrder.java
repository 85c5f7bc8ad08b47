package io.scaleblocks.cache;

import java.util.function.Consumer;

/**
 * The bookkeeping of one eviction policy over the resident keys. Not thread-safe: a
 * {@link PolicyLocalCache} calls it under its lock. Weights are in the cache's units (1 per
 * entry when bounded by count).
 */
interface PolicyOrder<K> {

  /** A resident key was read; unknown keys (evicted since) are ignored. */
  void recordHit(K key);

  /**
   * A read with the handle {@link #handle} gave when the entry was admitted, which lets an
   * order skip its key lookup. The default looks the key up.
   */
  default void recordHit(K key, Object handle) {
    recordHit(key);
  }

  /** A handle for a resident key that makes {@link #recordHit(Object, Object)} cheaper, or null. */
  default Object handle(K key) {
    return null;
  }

  /** Admits a new key, first evicting what the policy chooses until {@code weight} fits. */
  void admit(K key, long weight, Consumer<? super K> evicted);

  /** A resident key was written again with a new weight; counts as an access. */
  void update(K key, long weight, Consumer<? super K> evicted);

  /** A resident key was removed by the user; it leaves no trace (no ghost entry). */
  void remove(K key);

  /** Forgets everything. */
  void clear();

  /** The total weight of the resident keys, the figure this order holds under its capacity. */
  long residentWeight();

  static <K> PolicyOrder<K> create(EvictionPolicy policy, long capacity) {
    return switch (policy) {
      case LRU -> new LruOrder<>(capacity, true);
      case FIFO -> new LruOrder<>(capacity, false);
      case LFU -> new LfuOrder<>(capacity);
      case ARC -> new ArcOrder<>(capacity);
      case W_TINY_LFU -> throw new IllegalArgumentException("W-TinyLFU is Caffeine's, not a PolicyOrder");
    };
  }
}
