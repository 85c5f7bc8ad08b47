package io.scaleblocks.sharding;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The ketama placement agrees key for key with the continuum that libketama and spymemcached's
 * {@code KetamaNodeLocator} build, written here the way those clients write it.
 */
class KetamaCompatibilityTest {

  /** spymemcached's layout: 40 digests of "host:port-i", four little-endian points each. */
  static TreeMap<Long, String> textbookContinuum(List<String> servers) throws Exception {
    TreeMap<Long, String> continuum = new TreeMap<>();
    MessageDigest md5 = MessageDigest.getInstance("MD5");
    for (String server : servers) {
      for (int i = 0; i < 40; i++) {
        byte[] d = md5.digest((server + "-" + i).getBytes(UTF_8));
        for (int h = 0; h < 4; h++) {
          long k = ((long) (d[3 + h * 4] & 0xFF) << 24) | ((long) (d[2 + h * 4] & 0xFF) << 16)
              | ((long) (d[1 + h * 4] & 0xFF) << 8) | (d[h * 4] & 0xFF);
          continuum.putIfAbsent(k, server);
        }
      }
    }
    return continuum;
  }

  static String textbookLookup(TreeMap<Long, String> continuum, String key) throws Exception {
    byte[] d = MessageDigest.getInstance("MD5").digest(key.getBytes(UTF_8));
    long hash = ((long) (d[3] & 0xFF) << 24) | ((long) (d[2] & 0xFF) << 16)
        | ((long) (d[1] & 0xFF) << 8) | (d[0] & 0xFF);
    SortedMap<Long, String> tail = continuum.tailMap(hash);
    return tail.isEmpty() ? continuum.firstEntry().getValue() : tail.get(tail.firstKey());
  }

  @Test
  void everyKeyLandsOnTheServerAKetamaClientPicks() throws Exception {
    List<String> servers = IntStream.range(0, 12).mapToObj(i -> "10.0.0." + i + ":11211").toList();
    TreeMap<Long, String> continuum = textbookContinuum(servers);
    Placement<String> ketama = Placements.ketama(servers);
    for (int i = 0; i < 100_000; i++) {
      String key = "user:" + i;
      assertEquals(textbookLookup(continuum, key), ketama.nodeFor(Hashing.ketama().hash(key)), key);
    }
  }

  @Test
  void equalWeightsGive160PointsPerServerAndWeightsScaleThem() throws Exception {
    List<String> servers = List.of("a:1", "b:1", "c:1");
    assertEquals(480, textbookContinuum(servers).size());
    Placement<String> weighted = Placements.ketama(Map.of("a:1", 1));
    assertEquals(List.of("a:1"), weighted.nodes());
  }

  @Test
  void theKetamaHashIsTheFirstFourDigestBytesLittleEndian() throws Exception {
    byte[] d = MessageDigest.getInstance("MD5").digest("hello".getBytes(UTF_8));
    long expected = ((long) (d[3] & 0xFF) << 24) | ((d[2] & 0xFF) << 16) | ((d[1] & 0xFF) << 8) | (d[0] & 0xFF);
    assertEquals(expected, Hashing.ketama().hash("hello"));
    // MD5("hello") = 5d41402abc4b2a76b9719d911017c592
    assertEquals(0x2a40415dL, Hashing.ketama().hash("hello"));
  }

  /**
   * Digests per server of libmemcached's weighted ketama, computed by its own float expression
   * compiled with gcc ({@code floor((float) (pct * 160 / 4 * (float) n + 0.0000000001))}, pct a
   * float): 1,2,3 gives 20 40 60; six 1s and a 2 give 35 each and 70; 3,7 gives 24 56; 100..500
   * gives 13 26 40 53 66; 1,10 gives 7 72; six 5s and a 6 give 38 each and 46.
   */
  @Test
  void weightedDigestsRoundAsLibmemcachedsFloatArithmetic() {
    assertDigests(new int[] {20, 40, 60}, 1, 2, 3);
    assertDigests(new int[] {35, 35, 35, 35, 35, 35, 70}, 1, 1, 1, 1, 1, 1, 2);
    assertDigests(new int[] {24, 56}, 3, 7);
    assertDigests(new int[] {13, 26, 40, 53, 66}, 100, 200, 300, 400, 500);
    assertDigests(new int[] {7, 72}, 1, 10);
    assertDigests(new int[] {38, 38, 38, 38, 38, 38, 46}, 5, 5, 5, 5, 5, 5, 6);
    // Equal weights: 40 each at every count, where float arithmetic once gave 39 at 7, 14, 28...
    for (int n : new int[] {7, 14, 28, 49, 56, 98}) {
      Map<String, Integer> equal = new LinkedHashMap<>();
      IntStream.range(0, n).forEach(i -> equal.put("s" + i, 3));
      assertEquals(40, KetamaPlacement.digestsPerServer(NodeSet.of(equal))[n - 1], "n = " + n);
    }
  }

  private static void assertDigests(int[] expected, int... weights) {
    Map<String, Integer> nodes = new LinkedHashMap<>();
    for (int i = 0; i < weights.length; i++) {
      nodes.put("s" + i, weights[i]);
    }
    assertEquals(Arrays.toString(expected),
        Arrays.toString(KetamaPlacement.digestsPerServer(NodeSet.of(nodes))));
  }
}
