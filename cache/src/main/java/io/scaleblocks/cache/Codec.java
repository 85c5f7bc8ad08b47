package io.scaleblocks.cache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * Turns keys or values into bytes for a remote tier and back. Implementations are immutable and
 * thread-safe. There is deliberately no Java-serialization codec: bytes read from a shared
 * server are decoded only by an explicit format.
 */
public interface Codec<T> {

  byte[] encode(T value);

  /** @throws IllegalArgumentException if the bytes are not in this codec's format */
  T decode(byte[] bytes);

  /** Strings as UTF-8. */
  static Codec<String> utf8() {
    return of(s -> s.getBytes(StandardCharsets.UTF_8), b -> new String(b, StandardCharsets.UTF_8));
  }

  /** Longs as 8 big-endian bytes. */
  static Codec<Long> longs() {
    return of(l -> ByteBuffer.allocate(Long.BYTES).putLong(l).array(), b -> {
      if (b.length != Long.BYTES) {
        throw new IllegalArgumentException("a long needs 8 bytes but got " + b.length);
      }
      return ByteBuffer.wrap(b).getLong();
    });
  }

  /** A codec from two functions (for example a JSON mapper's write and read). */
  static <T> Codec<T> of(Function<? super T, byte[]> encoder, Function<byte[], ? extends T> decoder) {
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(decoder, "decoder");
    return new Codec<>() {
      @Override
      public byte[] encode(T value) {
        return encoder.apply(value);
      }

      @Override
      public T decode(byte[] bytes) {
        return decoder.apply(bytes);
      }
    };
  }
}
