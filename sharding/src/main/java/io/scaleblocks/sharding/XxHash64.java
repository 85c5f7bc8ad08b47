package io.scaleblocks.sharding;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/*
 * XXH64 by Yann Collet (BSD-2, https://github.com/Cyan4973/xxHash, doc/xxhash_spec.md):
 * 32-byte stripes into four accumulators, then 8-, 4- and 1-byte tail rounds and an avalanche.
 */
final class XxHash64 implements HashFunction {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private final long seed;

  XxHash64(long seed) {
    this.seed = seed;
  }

  @Override
  public long hash(long key) {
    long h = seed + P5 + 8;
    h ^= round(0, key);
    h = Long.rotateLeft(h, 27) * P1 + P4;
    return avalanche(h);
  }

  @Override
  public long hash(byte[] key) {
    return hash(key, 0, key.length);
  }

  @Override
  public long hash(byte[] key, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, key.length);
    int end = offset + length;
    int p = offset;
    long h;
    if (length >= 32) {
      long v1 = seed + P1 + P2;
      long v2 = seed + P2;
      long v3 = seed;
      long v4 = seed - P1;
      for (; p + 32 <= end; p += 32) {
        v1 = round(v1, (long) LONGS.get(key, p));
        v2 = round(v2, (long) LONGS.get(key, p + 8));
        v3 = round(v3, (long) LONGS.get(key, p + 16));
        v4 = round(v4, (long) LONGS.get(key, p + 24));
      }
      h = converge(v1, v2, v3, v4);
    } else {
      h = seed + P5;
    }
    h += length;
    for (; p + 8 <= end; p += 8) {
      h ^= round(0, (long) LONGS.get(key, p));
      h = Long.rotateLeft(h, 27) * P1 + P4;
    }
    if (p + 4 <= end) {
      h ^= ((int) INTS.get(key, p) & 0xFFFFFFFFL) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      p += 4;
    }
    for (; p < end; p++) {
      h ^= (key[p] & 0xFFL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
    }
    return avalanche(h);
  }

  @Override
  public long hash(CharSequence key) {
    return hash(key, 0, key.length());
  }

  @Override
  public long hash(CharSequence key, int start, int end) {
    Objects.checkFromToIndex(start, end, key.length());
    int length = Utf8.length(key, start, end);
    long v1 = seed + P1 + P2;
    long v2 = seed + P2;
    long v3 = seed;
    long v4 = seed - P1;
    // Up to three complete words of the current stripe wait here until the stripe is complete.
    long w0 = 0;
    long w1 = 0;
    long w2 = 0;
    int words = 0;
    long word = 0;
    int wordBytes = 0;
    int i = start;
    while (i < end) {
      long full;
      if (wordBytes == 0 && i + 8 <= end && (full = Utf8.asciiWord(key, i)) >= 0) {
        i += 8;
      } else {
        long encoded = Utf8.encodeAt(key, i, end);
        i += Utf8.charCount(encoded);
        int n = Utf8.byteCount(encoded);
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
      switch (words) {
        case 0 -> w0 = full;
        case 1 -> w1 = full;
        case 2 -> w2 = full;
        default -> {
          v1 = round(v1, w0);
          v2 = round(v2, w1);
          v3 = round(v3, w2);
          v4 = round(v4, full);
        }
      }
      words = (words + 1) & 3;
    }
    long h = length >= 32 ? converge(v1, v2, v3, v4) : seed + P5;
    h += length;
    if (words > 0) {
      h = tailWord(h, w0);
    }
    if (words > 1) {
      h = tailWord(h, w1);
    }
    if (words > 2) {
      h = tailWord(h, w2);
    }
    if (wordBytes >= 4) {
      h ^= (word & 0xFFFFFFFFL) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      word >>>= 32;
      wordBytes -= 4;
    }
    for (; wordBytes > 0; wordBytes--) {
      h ^= (word & 0xFFL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
      word >>>= 8;
    }
    return avalanche(h);
  }

  private static long tailWord(long h, long word) {
    h ^= round(0, word);
    return Long.rotateLeft(h, 27) * P1 + P4;
  }

  private static long round(long acc, long input) {
    acc += input * P2;
    acc = Long.rotateLeft(acc, 31);
    return acc * P1;
  }

  private static long mergeRound(long h, long v) {
    h ^= round(0, v);
    return h * P1 + P4;
  }

  private static long converge(long v1, long v2, long v3, long v4) {
    long h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7)
        + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
    h = mergeRound(h, v1);
    h = mergeRound(h, v2);
    h = mergeRound(h, v3);
    return mergeRound(h, v4);
  }

  private static long avalanche(long h) {
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  @Override
  public String toString() {
    return "xxHash64(seed=" + seed + ")";
  }
}
