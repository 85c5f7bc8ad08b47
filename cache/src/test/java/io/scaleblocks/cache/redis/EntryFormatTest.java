package io.scaleblocks.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scaleblocks.cache.CacheEntry;
import io.scaleblocks.cache.Codec;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EntryFormatTest {

  @Test
  void anEntryRoundTrips() {
    CacheEntry<String> entry = new CacheEntry<>(Optional.of("real"), 7, 1_700_000_000_000L);
    assertEquals(entry, EntryFormat.decode(EntryFormat.encode(entry, Codec.utf8()), Codec.utf8()));
  }

  @Test
  void aCorruptPresenceByteIsUndecodableNotNotFound() {
    byte[] bytes = EntryFormat.encode(new CacheEntry<>(Optional.of("real"), 7, 1L), Codec.utf8());
    bytes[2] = 7;
    assertThrows(IllegalArgumentException.class, () -> EntryFormat.decode(bytes, Codec.utf8()));
  }

  @Test
  void aNotFoundEntryWithAPayloadIsUndecodable() {
    byte[] bytes = EntryFormat.encode(new CacheEntry<>(Optional.of("real"), 7, 1L), Codec.utf8());
    bytes[2] = 0;
    assertThrows(IllegalArgumentException.class, () -> EntryFormat.decode(Arrays.copyOf(bytes, bytes.length), Codec.utf8()));
  }
}
