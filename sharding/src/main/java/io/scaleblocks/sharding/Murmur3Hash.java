package io.scaleblocks.sharding;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/*
 * MurmurHash3 x64 128-bit by Austin Appleby (public domain, SMHasher's MurmurHash3.cpp),
 * returning h1, the first 64 bits: the value Guava's Hashing.murmur3_128(seed).asLong() gives for
 * seeds that fit in 31 bits. The seed initialises both h1 and h2.
 */
final class Murmur3Hash implements HashFunction {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private final long seed;

  Murmur3Hash(long seed) {
    this.seed = seed;
  }

  @Override
  public long hash(long key) {
    long h1 = seed ^ mixK1(key);
    long h2 = seed;
    return finish(h1, h2, 8);
  }

  @Override
  public long hash(byte[] key) {
    return hash(key, 0, key.length);
  }

  @Override
  public long hash(byte[] key, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, key.length);
    long h1 = seed;
    long h2 = seed;
    int end = offset + length;
    int p = offset;
    for (; p + 16 <= end; p += 16) {
      long k1 = (long) LONGS.get(key, p);
      long k2 = (long) LONGS.get(key, p + 8);
      h1 ^= mixK1(k1);
      h1 = Long.rotateLeft(h1, 27) + h2;
      h1 = h1 * 5 + 0x52dce729;
      h2 ^= mixK2(k2);
      h2 = Long.rotateLeft(h2, 31) + h1;
      h2 = h2 * 5 + 0x38495ab5;
    }
    long k1 = 0;
    long k2 = 0;
    int tail = end - p;
    for (int i = tail - 1; i >= 8; i--) {
      k2 = (k2 << 8) | (key[p + i] & 0xFFL);
    }
    for (int i = Math.min(tail, 8) - 1; i >= 0; i--) {
      k1 = (k1 << 8) | (key[p + i] & 0xFFL);
    }
    if (tail > 8) {
      h2 ^= mixK2(k2);
    }
    if (tail > 0) {
      h1 ^= mixK1(k1);
    }
    return finish(h1, h2, length);
  }

  @Override
  public long hash(CharSequence key) {
    return hash(key, 0, key.length());
  }

  @Override
  public long hash(CharSequence key, int start, int end) {
    Objects.checkFromToIndex(start, end, key.length());
    long h1 = seed;
    long h2 = seed;
    long k1 = 0;
    long word = 0;
    int wordBytes = 0;
    boolean haveK1 = false;
    int length = 0;
    int i = start;
    while (i < end) {
      long full;
      if (wordBytes == 0 && i + 8 <= end && (full = Utf8.asciiWord(key, i)) >= 0) {
        i += 8;
        length += 8;
      } else {
        long encoded = Utf8.encodeAt(key, i, end);
        i += Utf8.charCount(encoded);
        int n = Utf8.byteCount(encoded);
        length += n;
        long bytes = encoded & 0xFFFFFFFFL;
        word |= bytes << (8 * wordBytes);
        int room = 8 - wordBytes;
        if (n < room) {
          wordBytes += n;
          continue;
        }
        full = word;
        word = n == room ? 0 : bytes >>> (8 * room);
        wordBytes = n - room;
      }
      if (haveK1) {
        h1 ^= mixK1(k1);
        h1 = Long.rotateLeft(h1, 27) + h2;
        h1 = h1 * 5 + 0x52dce729;
        h2 ^= mixK2(full);
        h2 = Long.rotateLeft(h2, 31) + h1;
        h2 = h2 * 5 + 0x38495ab5;
        haveK1 = false;
      } else {
        k1 = full;
        haveK1 = true;
      }
    }
    if (haveK1) {
      if (wordBytes > 0) {
        h2 ^= mixK2(word);
      }
      h1 ^= mixK1(k1);
    } else if (wordBytes > 0) {
      h1 ^= mixK1(word);
    }
    return finish(h1, h2, length);
  }

  private static long mixK1(long k1) {
    k1 *= C1;
    k1 = Long.rotateLeft(k1, 31);
    return k1 * C2;
  }

  private static long mixK2(long k2) {
    k2 *= C2;
    k2 = Long.rotateLeft(k2, 33);
    return k2 * C1;
  }

  private static long finish(long h1, long h2, int length) {
    h1 ^= length;
    h2 ^= length;
    h1 += h2;
    h2 += h1;
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 += h2;
    return h1;
  }

  static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  @Override
  public String toString() {
    return "murmur3_x64_128(seed=" + seed + ")";
  }
}
