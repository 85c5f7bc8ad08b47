package io.scaleblocks.cache;

import java.util.Locale;

/** How {@link CacheAside#write} and {@link CacheAside#delete} reach the store and the cache. */
public enum WriteStrategy {
  /** Store first, then put the new value in the cache. A failed store write changes nothing. */
  WRITE_THROUGH,
  /** Store first, then invalidate the cache; the next read loads the value. The default. */
  WRITE_AROUND,
  /**
   * Cache now, store later in coalesced batches (write-behind). Fast writes and fewer store
   * writes, at the price of durability: see {@link CacheAsideBuilder#writeBack}.
   */
  WRITE_BACK;

  /** {@code write-through}, {@code write-around} or {@code write-back}, ignoring case. */
  public static WriteStrategy byName(String name) {
    String normalised = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (WriteStrategy strategy : values()) {
      if (strategy.name().equals(normalised)) {
        return strategy;
      }
    }
    throw new IllegalArgumentException(
        "writeStrategy must be one of write-through, write-around, write-back but was '" + name + "'");
  }
}
