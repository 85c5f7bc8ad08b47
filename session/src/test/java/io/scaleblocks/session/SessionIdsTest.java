package io.scaleblocks.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

class SessionIdsTest {

  /** 10,000,000 with {@code -Dscaleblocks.long=true}; 1,000,000 by default. */
  private static final int MANY = Boolean.getBoolean("scaleblocks.long") ? 10_000_000 : 1_000_000;

  @Test
  void defaultIdsCarry256RandomBitsInUrlSafeBase64AfterTheTag() {
    SessionIds ids = SessionIds.secure();
    String id = ids.next();
    assertEquals(47, id.length());
    assertEquals(256, ids.bits());
    assertTrue(id.matches("[A-Za-z0-9_-]{47}"), id);
    assertEquals(32, Base64.getUrlDecoder().decode(id.substring(SessionIds.TAG_LENGTH)).length);
    assertTrue(ids.isWellFormed(id));
  }

  @Test
  void fewerThan128BitsOrAnOddNumberAreRefusedByValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SessionIds.secure(120));
    assertTrue(e.getMessage().endsWith("but was 120"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SessionIds.secure(130));
    assertEquals(26, SessionIds.secure(128).length());
  }

  @Test
  void aRotatedIdKeepsOnlyTheTag() {
    SessionIds ids = SessionIds.secure();
    String id = ids.next();
    String next = ids.nextKeepingTag(id);
    assertEquals(SessionIds.tagOf(id), SessionIds.tagOf(next));
    assertNotEquals(id.substring(4), next.substring(4));
    String foreign = SessionIds.secure(128).next();
    String renewed = ids.nextKeepingTag(foreign);
    assertEquals(SessionIds.tagOf(foreign), SessionIds.tagOf(renewed), "an id of another length keeps its tag");
    assertTrue(ids.isWellFormed(renewed));
  }

  @Test
  void anIdWhoseTagIsNotOfTheAlphabetGetsATagOfTheSameRedisClusterSlot() {
    SessionIds ids = SessionIds.secure();
    for (String foreign : List.of("a.b.c", ".abcdef", "abc.", "ab", "x", "node1.x7", "A-_.")) {
      for (int i = 0; i < 20; i++) {
        String renewed = ids.nextKeepingTag(foreign);
        assertTrue(ids.isWellFormed(renewed), renewed);
        assertEquals(JedisClusterCRC16.getSlot("s:{" + SessionIds.tagOf(foreign) + "}rest"),
            JedisClusterCRC16.getSlot("s:{" + SessionIds.tagOf(renewed) + "}rest"), foreign + " -> " + renewed);
      }
    }
  }

  @Test
  void everyRedisClusterSlotHoldsATagOfTheAlphabetAndTheSlotIsRedisOwn() {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    boolean[] covered = new boolean[16_384];
    int left = covered.length;
    for (int bits = 0; bits < 1 << 24 && left > 0; bits++) {
      String tag = new String(new char[] {alphabet.charAt(bits >>> 18), alphabet.charAt(bits >>> 12 & 63),
          alphabet.charAt(bits >>> 6 & 63), alphabet.charAt(bits & 63)});
      int slot = SessionIds.clusterSlot(tag);
      if (bits % 4_099 == 0) {
        assertEquals(JedisClusterCRC16.getSlot(tag), slot, tag);
      }
      if (!covered[slot]) {
        covered[slot] = true;
        left--;
      }
    }
    assertEquals(0, left, "slots without a tag");
  }

  @Test
  void theShapeCheckRefusesEverythingElse() {
    SessionIds ids = SessionIds.secure();
    String id = ids.next();
    assertFalse(ids.isWellFormed(null));
    assertFalse(ids.isWellFormed(id.substring(1)));
    assertFalse(ids.isWellFormed(id.substring(1) + "="));
    assertFalse(ids.isWellFormed(id.substring(1) + "/"));
    assertFalse(ids.isWellFormed(id + "A"));
  }

  @Test
  void equalComparesWholeIds() {
    String id = SessionIds.secure().next();
    assertTrue(SessionIds.equal(id, new String(id.toCharArray())));
    assertFalse(SessionIds.equal(id, id.substring(0, 46) + (id.charAt(46) == 'A' ? 'B' : 'A')));
    assertFalse(SessionIds.equal(id, id.substring(0, 46)));
    assertFalse(SessionIds.equal(id.substring(0, 46) + "\u00e9", id.substring(0, 46) + "\u00fc"),
        "two ids that differ only in characters outside ASCII are two ids");
  }

  @Test
  void manyIdsFromTwoThreadsHaveNoDuplicateEvenInTheirFirst64Bits() throws Exception {
    SessionIds ids = SessionIds.secure();
    long[] prefixes = new long[MANY];
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> low = pool.submit(() -> fill(ids, prefixes, 0, MANY / 2));
      Future<?> high = pool.submit(() -> fill(ids, prefixes, MANY / 2, MANY));
      low.get();
      high.get();
    } finally {
      pool.shutdownNow();
    }
    Arrays.sort(prefixes);
    int duplicates = 0;
    for (int i = 1; i < prefixes.length; i++) {
      if (prefixes[i] == prefixes[i - 1]) {
        duplicates++;
      }
    }
    assertEquals(0, duplicates, "among " + MANY + " ids");
  }

  private static void fill(SessionIds ids, long[] into, int from, int to) {
    Base64.Decoder decoder = Base64.getUrlDecoder();
    for (int i = from; i < to; i++) {
      byte[] secret = decoder.decode(ids.next().substring(SessionIds.TAG_LENGTH));
      into[i] = ByteBuffer.wrap(secret).getLong();
    }
  }
}
