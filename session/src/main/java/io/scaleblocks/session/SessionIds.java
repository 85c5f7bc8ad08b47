package io.scaleblocks.session;

import io.scaleblocks.session.internal.IdAlphabet;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Session ids: a {@value #TAG_LENGTH}-character routing tag followed by {@code bits} fresh bits from
 * a {@link SecureRandom}, all URL-safe base64 without padding ({@code [A-Za-z0-9_-]}).
 *
 * <p>The tag is drawn at random once per session and kept when {@link SessionStore#changeId}
 * rotates the id, so that every key of a session stays in one Redis Cluster slot; it carries no
 * secret. The secret is the random part: 256 bits by default ({@link #DEFAULT_BITS}), at least
 * 128, all new on every rotation.
 *
 * <p>Thread-safe. Compare ids with {@link #equal}, which takes the same time wherever two ids
 * first differ.
 */
public final class SessionIds {

  public static final int DEFAULT_BITS = 256;
  public static final int MIN_BITS = 128;
  public static final int MAX_BITS = 1024;
  public static final int TAG_LENGTH = 4;
  private static final int TAG_BYTES = 3;

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private final int bytes;
  private final int length;
  private final Supplier<SecureRandom> random;

  private SessionIds(int bits, Supplier<SecureRandom> random) {
    if (bits < MIN_BITS || bits > MAX_BITS || bits % 8 != 0) {
      throw new IllegalArgumentException("id bits must be a multiple of 8 between " + MIN_BITS
          + " and " + MAX_BITS + " but was " + bits);
    }
    this.bytes = bits / 8;
    this.length = TAG_LENGTH + (bytes * 4 + 2) / 3;
    this.random = random;
  }

  /** {@value #DEFAULT_BITS}-bit ids, one {@link SecureRandom} per thread. */
  public static SessionIds secure() {
    return secure(DEFAULT_BITS);
  }

  /** {@code bits}-bit ids (a multiple of 8, 128 to 1024), one {@link SecureRandom} per thread. */
  public static SessionIds secure(int bits) {
    ThreadLocal<SecureRandom> perThread = ThreadLocal.withInitial(SecureRandom::new);
    return new SessionIds(bits, perThread::get);
  }

  /** Ids drawn from one given generator (shared by every thread, which it must allow). */
  public static SessionIds using(SecureRandom random, int bits) {
    Objects.requireNonNull(random, "random");
    return new SessionIds(bits, () -> random);
  }

  /** A new id with a new tag. */
  public String next() {
    byte[] tag = new byte[TAG_BYTES];
    random.get().nextBytes(tag);
    return ENCODER.encodeToString(tag) + randomPart();
  }

  /**
   * A new id that keeps {@code previous}'s tag and has nothing else in common with it. An id of
   * another length (made with other {@code bits}, accepted without strict ids) keeps its tag too.
   * An id whose tag is not of the id alphabet (one shorter than {@value #TAG_LENGTH} characters,
   * or with a {@code .} in its first {@value #TAG_LENGTH}) gets a new tag of the alphabet whose
   * Redis Cluster slot is the old tag's. Either way the session stays in its slot, so a rotation
   * on Redis Cluster is one slot's atomic rename.
   */
  public String nextKeepingTag(String previous) {
    Objects.requireNonNull(previous, "previous");
    if (hasTag(previous)) {
      return previous.substring(0, TAG_LENGTH) + randomPart();
    }
    return tagInSlot(clusterSlot(tagOf(previous))) + randomPart();
  }

  private static boolean hasTag(String id) {
    if (id.length() < TAG_LENGTH) {
      return false;
    }
    for (int i = 0; i < TAG_LENGTH; i++) {
      char c = id.charAt(i);
      if (!IdAlphabet.isIdChar(c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A tag of the id alphabet in {@code slot}: the first met walking the 2<sup>24</sup> tags from a
   * random one. Each of the 16,384 slots holds about 1,024 of them, so the walk takes about
   * 16,000 steps; that every slot holds one is tested.
   */
  private String tagInSlot(int slot) {
    byte[] start = new byte[TAG_BYTES];
    random.get().nextBytes(start);
    int first = (start[0] & 0xff) << 16 | (start[1] & 0xff) << 8 | (start[2] & 0xff);
    char[] tag = new char[TAG_LENGTH];
    for (int step = 0; step < 1 << 24; step++) {
      int bits = (first + step) & 0xFF_FFFF;
      for (int i = 0; i < TAG_LENGTH; i++) {
        tag[i] = IdAlphabet.BASE64URL.charAt(bits >>> (6 * (TAG_LENGTH - 1 - i)) & 63);
      }
      String candidate = new String(tag);
      if (clusterSlot(candidate) == slot) {
        return candidate;
      }
    }
    throw new IllegalStateException("no tag of the id alphabet falls in Redis Cluster slot " + slot);
  }

  /**
   * The Redis Cluster slot of a key whose hash tag is {@code tag}: CRC16 (XMODEM) of its UTF-8
   * bytes, modulo 16,384.
   */
  static int clusterSlot(String tag) {
    int crc = 0;
    for (byte b : tag.getBytes(StandardCharsets.UTF_8)) {
      crc ^= (b & 0xff) << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
    }
    return crc & 0x3FFF;
  }

  private String randomPart() {
    byte[] secret = new byte[bytes];
    random.get().nextBytes(secret);
    return ENCODER.encodeToString(secret);
  }

  /** The number of characters of every id this generator makes. */
  public int length() {
    return length;
  }

  /** The random bits of each id. */
  public int bits() {
    return bytes * 8;
  }

  /** Whether {@code id} has the length and alphabet of the ids made here (a check, not a lookup). */
  public boolean isWellFormed(String id) {
    if (id == null || id.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = id.charAt(i);
      if (!IdAlphabet.isIdChar(c)) {
        return false;
      }
    }
    return true;
  }

  /** The routing tag of an id ({@link #TAG_LENGTH} characters), or the whole id when shorter. */
  public static String tagOf(String id) {
    return id.length() < TAG_LENGTH ? id : id.substring(0, TAG_LENGTH);
  }

  /** Compares two ids in time that depends only on their lengths, never on where they differ. */
  public static boolean equal(String a, String b) {
    int length = a.length();
    if (length != b.length()) {
      return false;
    }
    int difference = 0;
    for (int i = 0; i < length; i++) {
      difference |= a.charAt(i) ^ b.charAt(i);
    }
    return difference == 0;
  }
}
