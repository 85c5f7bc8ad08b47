package io.scaleblocks.cache.redis;

import io.scaleblocks.cache.CacheEntry;
import io.scaleblocks.cache.Codec;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The bytes of a {@link CacheEntry} in Redis. Format 1: a magic byte {@code 'S'}, the format
 * version 1, a presence flag, the load time in nanoseconds and the expiry in epoch milliseconds
 * (8 bytes each, big-endian), then the value's codec bytes (none for a negative entry). Format 2
 * puts the value codec's version (1 to 255, unsigned) between the format version and the flag.
 *
 * <p>An entry of format 1 has value codec version 0: a backend without a codec version writes
 * format 1, byte for byte what releases before format 2 write and read. An entry whose codec
 * version is not the reader's decodes to nothing, so a codec whose bytes changed meaning is
 * never asked to decode the other version's bytes.
 */
final class EntryFormat {

  /** The value codec version of an entry that carries none (format 1). */
  static final int UNVERSIONED = 0;
  static final int MAX_CODEC_VERSION = 255;

  private static final byte MAGIC = 'S';
  private static final byte UNVERSIONED_FORMAT = 1;
  private static final byte VERSIONED_FORMAT = 2;
  private static final int TIMES = 2 * Long.BYTES;

  private EntryFormat() {}

  static <V> byte[] encode(CacheEntry<V> entry, Codec<V> codec, int codecVersion) {
    byte[] payload = entry.value().map(codec::encode).orElse(new byte[0]);
    boolean versioned = codecVersion != UNVERSIONED;
    ByteBuffer buffer = ByteBuffer.allocate(header(versioned) + payload.length).put(MAGIC);
    if (versioned) {
      buffer.put(VERSIONED_FORMAT).put((byte) codecVersion);
    } else {
      buffer.put(UNVERSIONED_FORMAT);
    }
    return buffer.put((byte) (entry.value().isPresent() ? 1 : 0))
        .putLong(entry.loadNanos()).putLong(entry.expiresAtMillis())
        .put(payload).array();
  }

  /**
   * The entry in {@code bytes}, or empty when it was written under another value codec version
   * than {@code codecVersion} (its value is then not decoded).
   *
   * @throws IllegalArgumentException if the bytes were not written by {@link #encode}, or the
   *     codec refuses the value
   */
  static <V> Optional<CacheEntry<V>> decode(byte[] bytes, Codec<V> codec, int codecVersion) {
    boolean known = bytes.length > 1 && bytes[0] == MAGIC
        && (bytes[1] == UNVERSIONED_FORMAT || bytes[1] == VERSIONED_FORMAT);
    boolean versioned = known && bytes[1] == VERSIONED_FORMAT;
    int header = header(versioned);
    if (!known || bytes.length < header) {
      throw new IllegalArgumentException("not a ScaleBlocks cache entry (" + bytes.length + " bytes)");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    buffer.position(2);
    int written = versioned ? Byte.toUnsignedInt(buffer.get()) : UNVERSIONED;
    if (written != codecVersion) {
      return Optional.empty();
    }
    byte flag = buffer.get();
    if (flag != 0 && flag != 1) {
      throw new IllegalArgumentException("a ScaleBlocks cache entry with presence flag " + flag + ", neither 0 nor 1");
    }
    boolean present = flag == 1;
    if (!present && bytes.length != header) {
      throw new IllegalArgumentException("a \"not found\" ScaleBlocks cache entry with "
          + (bytes.length - header) + " bytes of value");
    }
    long loadNanos = buffer.getLong();
    long expiresAt = buffer.getLong();
    Optional<V> value = Optional.empty();
    if (present) {
      byte[] payload = new byte[buffer.remaining()];
      buffer.get(payload);
      value = Optional.of(codec.decode(payload));
    }
    return Optional.of(new CacheEntry<>(value, loadNanos, expiresAt));
  }

  private static int header(boolean versioned) {
    return (versioned ? 4 : 3) + TIMES;
  }
}
