package io.scaleblocks.sharding;

/**
 * A seeded 64-bit hash function over the three kinds of keys a router sees.
 *
 * <p>Implementations are immutable, thread-safe and allocation-free: hashing a key creates no
 * garbage, so a router can call it on every request. A {@link CharSequence} is hashed as its
 * UTF-8 encoding, so {@code hash("key")} equals {@code hash("key".getBytes(UTF_8))}. Obtain
 * instances from {@link Hashing}.
 */
public interface HashFunction {

  /** Hashes the eight little-endian bytes of {@code key}. */
  long hash(long key);

  /** Hashes the UTF-8 encoding of {@code key} without materialising it. */
  long hash(CharSequence key);

  /**
   * Hashes the UTF-8 encoding of {@code key.subSequence(start, end)}, without creating it in the
   * library's own implementations; routers use it to hash the {@code {tag}} part of a key.
   *
   * @throws IndexOutOfBoundsException if the range is not within {@code key}
   */
  default long hash(CharSequence key, int start, int end) {
    return hash(key.subSequence(start, end));
  }

  /** Hashes all of {@code key}. */
  long hash(byte[] key);

  /** Hashes {@code length} bytes of {@code key} from {@code offset}. */
  long hash(byte[] key, int offset, int length);
}
