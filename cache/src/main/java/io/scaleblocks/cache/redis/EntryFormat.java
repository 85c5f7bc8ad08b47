package io.scaleblocks.cache.redis;

import io.scaleblocks.cache.CacheEntry;
import io.scaleblocks.cache.Codec;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The bytes of a {@link CacheEntry} in Redis: a magic byte {@code 'S'}, format version 1, a
 * presence flag, the load time in nanoseconds and the expiry in epoch milliseconds (8 bytes
 * each, big-endian), then the value's codec bytes (none for a negative entry).
 */
final class EntryFormat {

  private static final byte MAGIC = 'S';
  private static final byte VERSION = 1;
  private static final int HEADER = 3 + 2 * Long.BYTES;

  private EntryFormat() {}

  static <V> byte[] encode(CacheEntry<V> entry, Codec<V> codec) {
    byte[] payload = entry.value().map(codec::encode).orElse(new byte[0]);
    return ByteBuffer.allocate(HEADER + payload.length)
        .put(MAGIC).put(VERSION).put((byte) (entry.value().isPresent() ? 1 : 0))
        .putLong(entry.loadNanos()).putLong(entry.expiresAtMillis())
        .put(payload).array();
  }

  /** @throws IllegalArgumentException if the bytes were not written by {@link #encode} */
  static <V> CacheEntry<V> decode(byte[] bytes, Codec<V> codec) {
    if (bytes.length < HEADER || bytes[0] != MAGIC || bytes[1] != VERSION) {
      throw new IllegalArgumentException("not a ScaleBlocks cache entry (" + bytes.length + " bytes)");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    buffer.position(2);
    byte flag = buffer.get();
    if (flag != 0 && flag != 1) {
      throw new IllegalArgumentException("a ScaleBlocks cache entry with presence flag " + flag + ", neither 0 nor 1");
    }
    boolean present = flag == 1;
    if (!present && bytes.length != HEADER) {
      throw new IllegalArgumentException("a \"not found\" ScaleBlocks cache entry with "
          + (bytes.length - HEADER) + " bytes of value");
    }
    long loadNanos = buffer.getLong();
    long expiresAt = buffer.getLong();
    Optional<V> value = Optional.empty();
    if (present) {
      byte[] payload = new byte[buffer.remaining()];
      buffer.get(payload);
      value = Optional.of(codec.decode(payload));
    }
    return new CacheEntry<>(value, loadNanos, expiresAt);
  }
}
