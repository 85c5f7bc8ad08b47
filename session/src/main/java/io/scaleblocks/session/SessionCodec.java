package io.scaleblocks.session;

/**
 * Turns an attribute value into the bytes a store keeps, and back. Implementations must be
 * thread-safe and must not run Java native deserialization on bytes they did not write themselves
 * without an allow-list {@link java.io.ObjectInputFilter}. {@link SessionCodecs} has the built-in
 * ones; plug a JSON codec in by implementing this interface.
 */
public interface SessionCodec<T> {

  byte[] encode(T value);

  /**
   * @throws IllegalArgumentException (or any runtime exception) when {@code bytes} are not a value
   *     of this codec; the store wraps it in a {@link SessionCodecException}
   */
  T decode(byte[] bytes);
}
