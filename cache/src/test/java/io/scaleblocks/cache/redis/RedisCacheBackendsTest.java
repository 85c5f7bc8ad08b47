package io.scaleblocks.cache.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.cache.CacheEntry;
import io.scaleblocks.cache.Codec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** Configuration and the stored format, without a server. */
class RedisCacheBackendsTest {

  @Test
  void entriesRoundTripAndForeignBytesAreRefused() {
    CacheEntry<String> entry = new CacheEntry<>(Optional.of("héllo"), 123, 1_700_000_000_000L);
    int unversioned = EntryFormat.UNVERSIONED;
    assertEquals(Optional.of(entry), EntryFormat.decode(EntryFormat.encode(entry, Codec.utf8(), unversioned), Codec.utf8(), unversioned));
    CacheEntry<String> negative = new CacheEntry<>(Optional.empty(), 0, 5);
    assertEquals(Optional.of(negative), EntryFormat.decode(EntryFormat.encode(negative, Codec.utf8(), 9), Codec.utf8(), 9));
    var e = assertThrows(IllegalArgumentException.class,
        () -> EntryFormat.decode("a plain string".getBytes(StandardCharsets.UTF_8), Codec.utf8(), unversioned));
    assertEquals("not a ScaleBlocks cache entry (14 bytes)", e.getMessage());
  }

  @Test
  void keysCarryTheWholeEncodedKeyAsAClusterHashTag() {
    try (RedisClient jedis = RedisClient.create("127.0.0.1", 1)) {
      RedisCacheBackend<String, String> backend = (RedisCacheBackend<String, String>)
          RedisCacheBackends.builder(jedis, Codec.utf8(), Codec.utf8()).prefix("app:").build();
      assertArrayEquals("app:{user:7}".getBytes(StandardCharsets.UTF_8), backend.entryKey("user:7"));
      assertArrayEquals("app:{~}weird}".getBytes(StandardCharsets.UTF_8), backend.entryKey("}weird"));
      assertArrayEquals("app:{~}".getBytes(StandardCharsets.UTF_8), backend.entryKey(""));
      assertArrayEquals("app:{~~}".getBytes(StandardCharsets.UTF_8), backend.entryKey("~"));
    }
  }

  @Test
  void anUndecodableEntryIsWarnedAboutOncePerTenSecondsHoweverManyAreRead() {
    AtomicLong nanos = new AtomicLong(1_000_000_000L);
    String name = "garbled-" + UUID.randomUUID();
    byte[] garbled = "written by something else".getBytes(StandardCharsets.UTF_8);
    try (RedisClient jedis = RedisClient.create("127.0.0.1", 1);
         CapturedStandardError log = new CapturedStandardError()) {
      RedisCacheBackend<String, String> backend = (RedisCacheBackend<String, String>)
          RedisCacheBackends.builder(jedis, Codec.utf8(), Codec.utf8()).name(name).ticker(nanos::get).build();
      // 35 s of reads, one per millisecond, every one of an entry it cannot decode.
      for (int millis = 0; millis < 35_000; millis++) {
        assertNull(backend.decode("k" + millis, garbled), "an undecodable entry is a miss");
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
      }
      List<String> warnings = log.linesContaining(name + " - ignoring an undecodable entry");
      assertEquals(4, warnings.size(), () -> "one warning per 10 s of 35 s, but got " + warnings);
      List<String> keys = List.of("k0", "k10001", "k20002", "k30003");
      for (int i = 0; i < keys.size(); i++) {
        assertTrue(warnings.get(i).contains(" for " + keys.get(i) + " "), warnings.get(i));
        assertTrue(warnings.get(i).startsWith("[") && warnings.get(i).contains("WARN"), warnings.get(i));
      }
    }
  }

  @Test
  void badSettingsAreRefusedWithTheirValue() {
    try (RedisClient jedis = RedisClient.create("127.0.0.1", 1)) {
      var builder = RedisCacheBackends.builder(jedis, Codec.utf8(), Codec.utf8());
      assertEquals("prefix must not contain '{' or '}' but was 'a{b'",
          assertThrows(IllegalArgumentException.class, () -> builder.prefix("a{b")).getMessage());
      assertEquals("redis-cache-backend: 'failure-threshold' must be between 1 and 1000000 but was '-3'",
          assertThrows(IllegalArgumentException.class,
              () -> builder.from(Map.of("failure-threshold", "-3"))).getMessage());
      assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.from(Map.of("host", "x")))
          .getMessage().startsWith("redis-cache-backend: unknown setting 'host'"));
      assertEquals("redis-cache-backend: 'failure-threshold' must be between 1 and 1000000 but was '4294967301'",
          assertThrows(IllegalArgumentException.class,
              () -> builder.from(Map.of("failure-threshold", "4294967301"))).getMessage());
      assertEquals("valueCodecVersion must be between 0 and 255 but was 256",
          assertThrows(IllegalArgumentException.class, () -> builder.valueCodecVersion(256)).getMessage());
      assertEquals("redis-cache-backend: 'value-codec-version' must be between 0 and 255 but was '-1'",
          assertThrows(IllegalArgumentException.class,
              () -> builder.from(Map.of("value-codec-version", "-1"))).getMessage());
      assertEquals("shard-1", builder.from(Map.of("name", "shard-1", "open-duration", "250ms")).build().toString());
    }
  }
}
