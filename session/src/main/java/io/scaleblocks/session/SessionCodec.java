package io.scaleblocks.session;

/**
 * Turns an attribute value into the bytes a store keeps, and back. Implementations must be
 * thread-safe and must not run Java native deserialization on bytes they did not write themselves
 * without an allow-list {@link java.io.ObjectInputFilter}. {@link SessionCodecs} has the built-in
 * ones; plug a JSON codec in by implementing this interface.
 *
 * <p>The bytes are shared: a store may keep the array {@link #encode} returns, and {@link #decode}
 * is handed the stored array itself, which every handle of the session (and, in memory, the store)
 * reads. So {@code encode} must return an array it does not keep and {@code decode} must neither
 * change its input nor return a value that is a view of it; copy, as {@link SessionCodecs#bytes()}
 * does.
 */
public interface SessionCodec<T> {

  byte[] encode(T value);

  /**
   * @throws IllegalArgumentException (or any runtime exception) when {@code bytes} are not a value
   *     of this codec; the store wraps it in a {@link SessionCodecException}
   */
  T decode(byte[] bytes);
}
