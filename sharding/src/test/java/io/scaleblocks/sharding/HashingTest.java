package io.scaleblocks.sharding;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HashingTest {

  /** The sanity buffer of xxHash's own self-test (xxhsum.c, {@code BMK_sanityCheck}). */
  private static byte[] xxhSanityBuffer(int length) {
    byte[] buffer = new byte[length];
    long generator = 2654435761L;
    for (int i = 0; i < length; i++) {
      buffer[i] = (byte) (generator >>> 56);
      generator *= 0x9E3779B97F4A7C15L;
    }
    return buffer;
  }

  @Test
  void xxHash64MatchesTheReferenceSanityVectors() {
    byte[] buffer = xxhSanityBuffer(1);
    long prime32 = 2654435761L;
    assertEquals(0xEF46DB3751D8E999L, Hashing.xxHash64().hash(new byte[0]));
    assertEquals(0xAC75FDA2929B17EFL, Hashing.xxHash64(prime32).hash(new byte[0]));
    assertEquals(0xE934A84ADB052768L, Hashing.xxHash64().hash(buffer, 0, 1));
    assertEquals(0x5014607643A9B4C3L, Hashing.xxHash64(prime32).hash(buffer, 0, 1));
  }

  @Test
  void xxHash64MatchesPublishedStringVectors() {
    assertEquals(0xD24EC4F1A98C6E5BL, Hashing.xxHash64().hash("a"));
    assertEquals(0x44BC2CF5AD770999L, Hashing.xxHash64().hash("abc"));
    assertEquals(0x066ED728FCEEB3BEL, Hashing.xxHash64().hash("message digest"));
    assertEquals(0xCFE1F278FA89835CL, Hashing.xxHash64().hash("abcdefghijklmnopqrstuvwxyz"));
    assertEquals(0xFBCEA83C8A378BF1L, Hashing.xxHash64().hash("Nobody inspects the spammish repetition"));
    assertEquals(0x0B242D361FDA71BCL,
        Hashing.xxHash64().hash("The quick brown fox jumps over the lazy dog"));
  }

  @Test
  void murmur3MatchesPublishedVectors() {
    assertEquals(0L, Hashing.murmur3().hash(new byte[0]));
    assertEquals(0xe34bbc7bbc071b6cL,
        Hashing.murmur3().hash("The quick brown fox jumps over the lazy dog"));
    assertEquals(0x629942693e10f867L, Hashing.murmur3().hash("hell"));
    assertEquals(0xa78ddff5adae8d10L, Hashing.murmur3(1).hash("hello"));
    assertEquals(0x8a486b23f422e826L, Hashing.murmur3(2).hash("hello "));
    assertEquals(0x2ea59f466f6bed8cL, Hashing.murmur3(3).hash("hello w"));
  }

  @Test
  void murmur3AgreesWithGuavaOnEveryLengthAndSeed() {
    SplittableRandom random = new SplittableRandom(7);
    for (int length = 0; length < 200; length++) {
      byte[] bytes = new byte[length];
      random.nextBytes(bytes);
      int seed = random.nextInt(Integer.MAX_VALUE);
      assertEquals(com.google.common.hash.Hashing.murmur3_128(seed).hashBytes(bytes).asLong(),
          Hashing.murmur3(seed).hash(bytes), "length " + length);
    }
    long key = random.nextLong();
    assertEquals(com.google.common.hash.Hashing.murmur3_128().hashLong(key).asLong(),
        Hashing.murmur3().hash(key));
  }

  @Test
  void charSequencesHashAsTheirUtf8Bytes() {
    SplittableRandom random = new SplittableRandom(11);
    String alphabet = "aZ9-é€𝄞\uD800\uDC00x\uDFFFy\uD83D";
    for (HashFunction f : new HashFunction[] {Hashing.murmur3(), Hashing.xxHash64(), Hashing.xxHash64(5)}) {
      for (int length = 0; length < 300; length++) {
        StringBuilder s = new StringBuilder();
        boolean mostlyAscii = random.nextBoolean();
        for (int i = 0; i < length; i++) {
          s.append(mostlyAscii && random.nextInt(10) > 0
              ? (char) ('a' + random.nextInt(26)) : alphabet.charAt(random.nextInt(alphabet.length())));
        }
        String string = s.toString();
        assertEquals(f.hash(string.getBytes(UTF_8)), f.hash(string), f + " of '" + string + "'");
        assertEquals(f.hash(string.getBytes(UTF_8)), f.hash(new StringBuilder(string)));
        String padded = "{" + string + "}";
        assertEquals(f.hash(string), f.hash(padded, 1, padded.length() - 1));
      }
    }
  }

  @Test
  void longsHashAsTheirLittleEndianBytes() {
    SplittableRandom random = new SplittableRandom(3);
    for (HashFunction f : new HashFunction[] {Hashing.murmur3(), Hashing.murmur3(9), Hashing.xxHash64(), Hashing.xxHash64(9)}) {
      for (int i = 0; i < 100; i++) {
        long key = random.nextLong();
        byte[] bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(key).array();
        assertEquals(f.hash(bytes), f.hash(key));
      }
    }
  }

  @Test
  void differentSeedsGiveDifferentHashes() {
    assertEquals(false, Hashing.xxHash64(1).hash("key") == Hashing.xxHash64(2).hash("key"));
    assertEquals(false, Hashing.murmur3(1).hash("key") == Hashing.murmur3(2).hash("key"));
  }

  @Test
  void rangesOutsideTheInputAreRejected() {
    byte[] bytes = new byte[4];
    assertThrows(IndexOutOfBoundsException.class, () -> Hashing.murmur3().hash(bytes, 2, 3));
    assertThrows(IndexOutOfBoundsException.class, () -> Hashing.xxHash64().hash(bytes, -1, 2));
    assertThrows(NullPointerException.class, () -> Hashing.xxHash64().hash((CharSequence) null));
  }
}
