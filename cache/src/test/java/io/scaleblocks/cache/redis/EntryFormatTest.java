package io.scaleblocks.cache.redis;

import static io.scaleblocks.cache.redis.EntryFormat.UNVERSIONED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scaleblocks.cache.CacheEntry;
import io.scaleblocks.cache.Codec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EntryFormatTest {

  private static final CacheEntry<String> REAL = new CacheEntry<>(Optional.of("real"), 7, 1_700_000_000_000L);

  @Test
  void anEntryRoundTrips() {
    assertEquals(Optional.of(REAL), EntryFormat.decode(EntryFormat.encode(REAL, Codec.utf8(), UNVERSIONED), Codec.utf8(), UNVERSIONED));
    assertEquals(Optional.of(REAL), EntryFormat.decode(EntryFormat.encode(REAL, Codec.utf8(), 200), Codec.utf8(), 200));
  }

  /** Byte for byte what releases without value codec versions write and read. */
  @Test
  void anUnversionedEntryIsFormatOne() {
    byte[] golden = HexFormat.of().parseHex("530101" + "0000000000000007" + "0000018bcfe56800" + "7265616c");
    assertArrayEquals(golden, EntryFormat.encode(REAL, Codec.utf8(), UNVERSIONED));
    assertEquals(Optional.of(REAL), EntryFormat.decode(golden, Codec.utf8(), UNVERSIONED));
  }

  @Test
  void aVersionedEntryIsFormatTwoWithItsCodecVersionUnsigned() {
    byte[] golden = HexFormat.of().parseHex("5302c801" + "0000000000000007" + "0000018bcfe56800" + "7265616c");
    assertArrayEquals(golden, EntryFormat.encode(REAL, Codec.utf8(), 200));
    CacheEntry<String> notFound = new CacheEntry<>(Optional.empty(), 7, 1_700_000_000_000L);
    assertArrayEquals(HexFormat.of().parseHex("53020300" + "0000000000000007" + "0000018bcfe56800"),
        EntryFormat.encode(notFound, Codec.utf8(), 3));
  }

  @Test
  void anEntryOfAnotherCodecVersionIsNothingAndItsValueIsNeverDecoded() {
    AtomicInteger decoded = new AtomicInteger();
    Codec<String> counting = Codec.of(s -> s.getBytes(StandardCharsets.UTF_8), bytes -> {
      decoded.incrementAndGet();
      return new String(bytes, StandardCharsets.UTF_8);
    });
    int[][] writtenAndRead = {{UNVERSIONED, 1}, {1, UNVERSIONED}, {1, 2}, {2, 1}, {255, 127}};
    for (int[] versions : writtenAndRead) {
      byte[] bytes = EntryFormat.encode(REAL, counting, versions[0]);
      assertEquals(Optional.empty(), EntryFormat.decode(bytes, counting, versions[1]),
          () -> "written under " + versions[0] + ", read under " + versions[1]);
    }
    assertEquals(0, decoded.get(), "the codec was asked to decode another version's value");
  }

  @Test
  void aCorruptPresenceByteIsUndecodableNotNotFound() {
    byte[] bytes = EntryFormat.encode(new CacheEntry<>(Optional.of("real"), 7, 1L), Codec.utf8(), UNVERSIONED);
    bytes[2] = 7;
    assertThrows(IllegalArgumentException.class, () -> EntryFormat.decode(bytes, Codec.utf8(), UNVERSIONED));
    byte[] versioned = EntryFormat.encode(new CacheEntry<>(Optional.of("real"), 7, 1L), Codec.utf8(), 4);
    versioned[3] = 7;
    assertThrows(IllegalArgumentException.class, () -> EntryFormat.decode(versioned, Codec.utf8(), 4));
  }

  @Test
  void aNotFoundEntryWithAPayloadIsUndecodable() {
    byte[] bytes = EntryFormat.encode(new CacheEntry<>(Optional.of("real"), 7, 1L), Codec.utf8(), UNVERSIONED);
    bytes[2] = 0;
    assertThrows(IllegalArgumentException.class, () -> EntryFormat.decode(Arrays.copyOf(bytes, bytes.length), Codec.utf8(), UNVERSIONED));
  }

  @Test
  void aTruncatedHeaderOrAnUnknownFormatIsUndecodable() {
    byte[] versioned = EntryFormat.encode(new CacheEntry<>(Optional.empty(), 7, 1L), Codec.utf8(), 4);
    for (int length = 0; length < versioned.length; length++) {
      byte[] truncated = Arrays.copyOf(versioned, length);
      assertThrows(IllegalArgumentException.class, () -> EntryFormat.decode(truncated, Codec.utf8(), 4),
          () -> truncated.length + " bytes");
    }
    versioned[1] = 3;
    assertEquals("not a ScaleBlocks cache entry (20 bytes)",
        assertThrows(IllegalArgumentException.class, () -> EntryFormat.decode(versioned, Codec.utf8(), 4)).getMessage());
  }
}
