package io.scaleblocks.sharding;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;

/**
 * libketama's key hash: the first four bytes of the key's MD5 digest as an unsigned
 * little-endian 32-bit value. Unseeded (a seed would break compatibility, its only purpose).
 *
 * <p>Thread-safe through one {@link MessageDigest} per thread. Unlike the other hash functions it
 * allocates (the digest and, for a {@link CharSequence}, its bytes) and costs a full MD5.
 */
final class KetamaHash implements HashFunction {

  private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(KetamaPlacement::md5);

  @Override
  public long hash(long key) {
    return hash(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(key).array());
  }

  @Override
  public long hash(CharSequence key) {
    return hash(key.toString().getBytes(UTF_8));
  }

  @Override
  public long hash(byte[] key) {
    return hash(key, 0, key.length);
  }

  @Override
  public long hash(byte[] key, int offset, int length) {
    MessageDigest md5 = MD5.get();
    md5.update(key, offset, length);
    return KetamaPlacement.littleEndianInt(md5.digest(), 0);
  }

  @Override
  public String toString() {
    return "ketama-md5";
  }
}
