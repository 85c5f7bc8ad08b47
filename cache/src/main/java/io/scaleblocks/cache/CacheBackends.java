package io.scaleblocks.cache;

import io.scaleblocks.sharding.HashFunction;
import io.scaleblocks.sharding.Hashing;
import io.scaleblocks.sharding.Placement;
import io.scaleblocks.sharding.Placements;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/** Composes {@link CacheBackend}s. The Redis backend itself is in {@code io.scaleblocks.cache.redis}. */
public final class CacheBackends {

  private CacheBackends() {}

  /**
   * Spreads keys over {@code nodes} with the {@code sharding} module's consistent placement
   * ({@link Placements#consistent}) and xxHash64 of each encoded key, so adding or removing a
   * node moves only about 1/n of the keys. Each node's {@code toString()} must be stable and
   * unique, as {@link Placement} requires.
   */
  public static <K, V> CacheBackend<K, V> sharded(Collection<? extends CacheBackend<K, V>> nodes, Codec<K> keyCodec) {
    return sharded(Placements.consistent(List.copyOf(nodes)), Hashing.xxHash64(), keyCodec);
  }

  /** Spreads keys over the nodes of {@code placement} by {@code hash} of each encoded key. */
  public static <K, V> CacheBackend<K, V> sharded(Placement<CacheBackend<K, V>> placement, HashFunction hash,
      Codec<K> keyCodec) {
    return new ShardedCacheBackend<>(Objects.requireNonNull(placement, "placement"),
        Objects.requireNonNull(hash, "hash"), Objects.requireNonNull(keyCodec, "keyCodec"));
  }
}
