package io.scaleblocks.sharding;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * A ring laid out exactly as libketama and the memcached clients that follow it (spymemcached's
 * {@code KetamaNodeLocator}, libmemcached's ketama mode) lay it out, so that keys hashed with
 * {@link Hashing#ketama()} land on the server those clients pick.
 *
 * <p>With equal weights every server gets 40 MD5 digests of {@code "<s>-<i>"}, four 32-bit points
 * each (bytes 4h+3..4h little-endian): 160 points per server. With unequal weights server
 * {@code s} of weight {@code w} out of {@code W} over {@code n} servers gets the digests
 * libmemcached and spymemcached compute in float arithmetic ({@link #digestsPerServer}). When two
 * points collide, the server later in the node order owns it, as in spymemcached. Checked point
 * for point against spymemcached 2.12.3 for every server count up to 2,000. The node's string form
 * must be the one the old client used, normally {@code "host:port"}. Thread-safe and immutable;
 * lookup is a binary search over the points and uses the low 32 bits of the key hash.
 */
final class KetamaPlacement<N> implements Placement<N> {

  static final int DIGESTS_PER_SERVER = 40;

  private final NodeSet<N> nodes;
  private final HashRing ring;

  KetamaPlacement(NodeSet<N> nodes) {
    this.nodes = nodes;
    int[] digests = digestsPerServer(nodes);
    int points = 0;
    for (int d : digests) {
      points += 4 * d;
    }
    long[] point = new long[points];
    int[] owners = new int[points];
    MessageDigest md5 = md5();
    int p = 0;
    for (int i = 0; i < nodes.size(); i++) {
      String name = nodes.node(i).toString();
      for (int d = 0; d < digests[i]; d++) {
        byte[] digest = md5.digest((name + "-" + d).getBytes(UTF_8));
        for (int h = 0; h < 4; h++) {
          point[p] = littleEndianInt(digest, 4 * h);
          owners[p++] = i;
        }
      }
    }
    // On a collision the server added later owns the point, as in spymemcached's TreeMap.
    this.ring = HashRing.of(point, owners, true);
  }

  /**
   * The digests of each server. Equal weights: 40 each, whatever the count (the unweighted mode
   * of spymemcached and libmemcached). Unequal weights: libmemcached's and spymemcached's float
   * arithmetic, {@code floor((float) pct * 160 / 4 * (float) n + 1e-10)} with
   * {@code pct = (float) w / (float) W}, so a ring rounds exactly as theirs do.
   */
  static int[] digestsPerServer(NodeSet<?> nodes) {
    int n = nodes.size();
    int[] digests = new int[n];
    boolean equal = true;
    long total = 0;
    for (int i = 0; i < n; i++) {
      total += nodes.weight(i);
      equal &= nodes.weight(i) == nodes.weight(0);
    }
    for (int i = 0; i < n; i++) {
      if (equal) {
        digests[i] = DIGESTS_PER_SERVER;
      } else {
        float pct = (float) nodes.weight(i) / (float) total;
        float scaled = pct * (float) (4 * DIGESTS_PER_SERVER) / 4 * (float) n;
        digests[i] = (int) Math.floor(scaled + 0.0000000001);
      }
    }
    return digests;
  }

  static long littleEndianInt(byte[] digest, int offset) {
    return ((long) (digest[offset + 3] & 0xFF) << 24)
        | ((digest[offset + 2] & 0xFF) << 16)
        | ((digest[offset + 1] & 0xFF) << 8)
        | (digest[offset] & 0xFF);
  }

  static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every Java platform", e);
    }
  }

  @Override
  public N nodeFor(long keyHash) {
    return nodes.node(ring.ownerAt(ring.positionOf(keyHash & 0xFFFFFFFFL)));
  }

  /** The ring, for comparison with clients' continua in tests. */
  HashRing ring() {
    return ring;
  }

  @Override
  public List<N> nodes() {
    return nodes.nodes();
  }

  @Override
  public Placement<N> withNode(N node, int weight) {
    return new KetamaPlacement<>(nodes.with(node, weight));
  }

  @Override
  public Placement<N> withoutNode(N node) {
    return new KetamaPlacement<>(nodes.without(node));
  }

  @Override
  public String toString() {
    return "Ketama" + nodes.nodes();
  }
}
