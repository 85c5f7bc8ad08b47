package io.scaleblocks.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.spy.memcached.DefaultHashAlgorithm;
import net.spy.memcached.KetamaNodeKeyFormatter;
import net.spy.memcached.KetamaNodeLocator;
import net.spy.memcached.MemcachedNode;
import org.junit.jupiter.api.Test;

/**
 * {@link Placements#ketama} against the real spymemcached 2.12.3 {@code KetamaNodeLocator}, for
 * every server count from 1 to 2,000 with equal weights and with unequal ones: the two continua
 * must be equal, point for point and owner for owner (so every key lands on the same server), and
 * a sample of keys looked up through each client's own API must agree.
 *
 * <p>Building spymemcached's continuum for every count is the cost (160 TreeMap entries per server,
 * 320 million for the whole sweep, minutes on two cores), so by default the sweep checks the
 * counts of {@link #checked}; {@code -Dscaleblocks.long=true} checks every count from 1 to 2,000.
 */
class KetamaSpymemcachedSweepTest {

  static {
    // spymemcached asserts that its continuum has numReps points per server, which weighted
    // rings and point collisions break; a production JVM runs without -ea, so the test does too.
    ClassLoader.getSystemClassLoader().setClassAssertionStatus("net.spy.memcached.KetamaNodeLocator", false);
  }

  private static final boolean LONG = Boolean.getBoolean("scaleblocks.long");
  private static final int MAX_SERVERS = 2_000;
  private static final int KEYS_PER_COUNT = 300;

  static String server(int i) {
    return "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + ":11211";
  }

  private static MemcachedNode node(InetSocketAddress address) {
    return (MemcachedNode) Proxy.newProxyInstance(MemcachedNode.class.getClassLoader(),
        new Class<?>[] {MemcachedNode.class}, (proxy, method, args) -> switch (method.getName()) {
          case "getSocketAddress" -> address;
          case "toString" -> "node " + address;
          case "hashCode" -> address.hashCode();
          case "equals" -> proxy == args[0];
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  private static String name(MemcachedNode node) {
    InetSocketAddress a = (InetSocketAddress) node.getSocketAddress();
    return a.getHostString() + ":" + a.getPort();
  }

  /**
   * The counts checked by default: every count to 40, the multiples of 7 to 140 and 7 or 49 times
   * a power of two beyond (the family a floating-point floor once cut to 39 digests; the largest
   * have colliding points), and 2,000.
   */
  static boolean checked(int n) {
    boolean family = n % 7 == 0 && (Integer.bitCount(n / 7) == 1 || n % 49 == 0 && Integer.bitCount(n / 49) == 1);
    return LONG || n <= 40 || (n <= 140 && n % 7 == 0) || family || n == MAX_SERVERS;
  }

  /** Weights 1..10 from a seeded stream, so most counts have unequal weights. */
  static int weight(int i) {
    return 1 + (int) ((i * 0x9E3779B97F4A7C15L >>> 40) % 10);
  }

  @Test
  void equalWeightsMatchSpymemcachedForEveryServerCount() throws Exception {
    int counts = 0;
    for (int n = 1; n <= MAX_SERVERS; n++) {
      if (checked(n)) {
        compare(n, false);
        counts++;
      }
    }
    System.out.println("ketama vs spymemcached 2.12.3, equal weights: " + counts + " server counts, "
        + KEYS_PER_COUNT + " keys each, continua equal");
  }

  @Test
  void unequalWeightsMatchSpymemcachedForEveryServerCount() throws Exception {
    int counts = 0;
    for (int n = 1; n <= MAX_SERVERS; n++) {
      if (checked(n)) {
        compare(n, true);
        counts++;
      }
    }
    System.out.println("ketama vs spymemcached 2.12.3, weights 1..10: " + counts + " server counts, "
        + KEYS_PER_COUNT + " keys each, continua equal");
  }

  private static void compare(int n, boolean weighted) throws Exception {
    List<MemcachedNode> nodes = new ArrayList<>(n);
    Map<InetSocketAddress, Integer> weights = new LinkedHashMap<>();
    Map<String, Integer> ours = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String[] hostPort = server(i).split(":");
      InetSocketAddress address = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
      nodes.add(node(address));
      int w = weighted ? weight(i) : 1;
      weights.put(address, w);
      ours.put(server(i), w);
    }
    KetamaNodeLocator spy = weighted
        ? new KetamaNodeLocator(nodes, DefaultHashAlgorithm.KETAMA_HASH, KetamaNodeKeyFormatter.Format.SPYMEMCACHED, weights)
        : new KetamaNodeLocator(nodes, DefaultHashAlgorithm.KETAMA_HASH);
    KetamaPlacement<String> placement = (KetamaPlacement<String>) Placements.ketama(ours);
    assertSameContinuum(spy, nodes, placement.ring(), n + " servers" + (weighted ? " (weighted)" : ""));
    SplittableRandom random = new SplittableRandom(n);
    for (int k = 0; k < KEYS_PER_COUNT; k++) {
      String key = "key:" + random.nextLong();
      assertEquals(name(spy.getPrimary(key)), placement.nodeFor(Hashing.ketama().hash(key)),
          key + " over " + n + " servers");
    }
  }

  /**
   * spymemcached's continuum equals the ring: the same distinct points in order, each owned by
   * the same server (for equal points, the ring's first one is the owner a lookup finds).
   */
  private static void assertSameContinuum(KetamaNodeLocator locator, List<MemcachedNode> nodes, HashRing ring,
      String what) throws Exception {
    Method getKetamaNodes = KetamaNodeLocator.class.getDeclaredMethod("getKetamaNodes");
    getKetamaNodes.setAccessible(true);
    @SuppressWarnings("unchecked")
    TreeMap<Long, MemcachedNode> points = (TreeMap<Long, MemcachedNode>) getKetamaNodes.invoke(locator);
    Map<MemcachedNode, Integer> index = new IdentityHashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      index.put(nodes.get(i), i);
    }
    int position = 0;
    int distinct = 0;
    for (Map.Entry<Long, MemcachedNode> point : points.entrySet()) {
      while (position > 0 && position < ring.points() && ring.pointAt(position) == ring.pointAt(position - 1)) {
        position++;
      }
      assertTrue(position < ring.points(), what + ": the ring has fewer points than spymemcached's");
      if (ring.pointAt(position) != point.getKey() || ring.ownerAt(position) != index.get(point.getValue())) {
        fail(what + ": point " + distinct + " is " + ring.pointAt(position) + " of server "
            + ring.ownerAt(position) + ", spymemcached's " + point.getKey() + " of " + index.get(point.getValue()));
      }
      position++;
      distinct++;
    }
    while (position > 0 && position < ring.points() && ring.pointAt(position) == ring.pointAt(position - 1)) {
      position++;
    }
    assertEquals(ring.points(), position, what + ": the ring has more points than spymemcached's");
  }
}
