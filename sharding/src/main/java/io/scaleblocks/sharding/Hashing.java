package io.scaleblocks.sharding;

/**
 * The hash functions of this library.
 *
 * <p>Every function is seeded, 64-bit, immutable, thread-safe and allocation-free. Routers
 * (the shard router) and the placements' own identity hashing use {@link #murmur3()} unless
 * told otherwise, so that a key routed here lands where a Guava- or Redis-module user expects;
 * {@link #xxHash64()} is faster on long keys and equally well distributed.
 */
public final class Hashing {

  /** The seed of {@link #murmur3()} and {@link #xxHash64()}. */
  public static final long DEFAULT_SEED = 0;

  private static final HashFunction MURMUR3 = new Murmur3Hash(DEFAULT_SEED);
  private static final HashFunction XXHASH64 = new XxHash64(DEFAULT_SEED);
  private static final HashFunction KETAMA = new KetamaHash();

  private Hashing() {}

  /**
   * MurmurHash3 x64 128-bit with seed 0, truncated to its first 64 bits ({@code h1}); equal to
   * Guava's {@code Hashing.murmur3_128().hashBytes(b).asLong()}. The default of this library.
   */
  public static HashFunction murmur3() {
    return MURMUR3;
  }

  /**
   * MurmurHash3 x64 128-bit with {@code seed} as the initial value of both halves, truncated to
   * its first 64 bits. For a seed in {@code [0, 2^31)} it equals Guava's
   * {@code Hashing.murmur3_128((int) seed)}.
   */
  public static HashFunction murmur3(long seed) {
    return seed == DEFAULT_SEED ? MURMUR3 : new Murmur3Hash(seed);
  }

  /** XXH64 with seed 0, as {@code XXH64(input, length, 0)} of the reference implementation. */
  public static HashFunction xxHash64() {
    return XXHASH64;
  }

  /** XXH64 with {@code seed}, as {@code XXH64(input, length, seed)}. */
  public static HashFunction xxHash64(long seed) {
    return seed == DEFAULT_SEED ? XXHASH64 : new XxHash64(seed);
  }

  /**
   * libketama's key hash (first four bytes of MD5, unsigned little-endian), for
   * {@link Placements#ketama(java.util.Collection)} when keys must land where a ketama memcached
   * client put them. It allocates and is several times slower than the others: use it only for
   * that compatibility.
   */
  public static HashFunction ketama() {
    return KETAMA;
  }

  /**
   * A finaliser that spreads a 64-bit value over all 64 bits (MurmurHash3's {@code fmix64});
   * placements use it to derive independent hashes from a key hash and a node or bucket.
   */
  static long mix(long value) {
    return Murmur3Hash.fmix64(value);
  }
}
