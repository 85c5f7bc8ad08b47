package io.scaleblocks.sharding;

/**
 * Walks the UTF-8 encoding of a {@link CharSequence} without materialising it, exactly as
 * {@code String.getBytes(UTF_8)} would encode it: an unpaired surrogate becomes {@code '?'}.
 */
final class Utf8 {

  private Utf8() {}

  /** The number of bytes of the UTF-8 encoding of {@code s[start, end)}. */
  static int length(CharSequence s, int start, int end) {
    int bytes = 0;
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += Character.isSurrogate(c) ? 1 : 3;
      }
    }
    return bytes;
  }

  /**
   * The encoding of the code point at {@code i}: the bytes packed little-endian in the low bits,
   * the byte count in bits 32..34 and whether it consumed two chars in bit 35.
   */
  static long encodeAt(CharSequence s, int i, int end) {
    char c = s.charAt(i);
    if (c < 0x80) {
      return c | (1L << 32);
    }
    if (c < 0x800) {
      return (0xC0 | (c >>> 6)) | ((0x80 | (c & 0x3F)) << 8) | (2L << 32);
    }
    if (Character.isSurrogate(c)) {
      if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(i + 1));
        long b0 = 0xF0 | (cp >>> 18);
        long b1 = 0x80 | ((cp >>> 12) & 0x3F);
        long b2 = 0x80 | ((cp >>> 6) & 0x3F);
        long b3 = 0x80 | (cp & 0x3F);
        return b0 | (b1 << 8) | (b2 << 16) | (b3 << 24) | (4L << 32) | (1L << 35);
      }
      return '?' | (1L << 32);
    }
    long b0 = 0xE0 | (c >>> 12);
    long b1 = 0x80 | ((c >>> 6) & 0x3F);
    long b2 = 0x80 | (c & 0x3F);
    return b0 | (b1 << 8) | (b2 << 16) | (3L << 32);
  }

  static int byteCount(long encoded) {
    return (int) ((encoded >>> 32) & 0x7);
  }

  static int charCount(long encoded) {
    return 1 + (int) ((encoded >>> 35) & 1);
  }

  /**
   * The eight chars at {@code i} as eight little-endian bytes if all of them are ASCII, else -1
   * (an ASCII word never has its top bit set).
   */
  static long asciiWord(CharSequence s, int i) {
    long c0 = s.charAt(i);
    long c1 = s.charAt(i + 1);
    long c2 = s.charAt(i + 2);
    long c3 = s.charAt(i + 3);
    long c4 = s.charAt(i + 4);
    long c5 = s.charAt(i + 5);
    long c6 = s.charAt(i + 6);
    long c7 = s.charAt(i + 7);
    if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) >= 0x80) {
      return -1;
    }
    return c0 | c1 << 8 | c2 << 16 | c3 << 24 | c4 << 32 | c5 << 40 | c6 << 48 | c7 << 56;
  }
}
