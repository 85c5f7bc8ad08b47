package io.scaleblocks.sharding;

/**
 * JumpBackHash: maps a 64-bit key hash onto {@code [0, n)} with the distribution and the
 * monotonicity of jump consistent hash, in expected {@code O(1)} time and without a division.
 *
 * <p>Stateless and thread-safe; allocation-free.
 */
/*
 * O. Ertl, "JumpBackHash: Say Goodbye to the Modulo Operation to Distribute Keys Uniformly to
 * Buckets", Software: Practice and Experience, 2025, arXiv:2403.18682.
 *
 * Jump hash (Lamping & Veach) is equivalent to marking every bucket i >= 1 independently as a
 * "jump" with probability 1/(i+1) (bucket 0 always is one) and sending the key to the largest jump
 * below n; growing n can then only send a key to a new bucket. Jump hash walks the jumps upwards,
 * O(ln n) of them, each with a floating-point divide. JumpBackHash walks downwards over the
 * power-of-two intervals [2^k, 2^(k+1)): the chance that an interval holds no jump is
 * prod(i/(i+1)) = 1/2, and when it holds some, its largest jump is uniform over the interval.
 * So bit k of the key hash says whether interval k holds a jump, and a draw from a per-(key, k)
 * random stream with bit k forced to 1 gives the largest one. Only the interval that contains
 * n - 1 can put that jump at or beyond n; then the next draws, uniform over [0, 2^(k+1)), are
 * taken until one falls below n: that value is the answer when it is at least 2^k and means
 * "no jump below n in this interval" otherwise (the largest jump below n is uniform over [0, n),
 * and the draws do not depend on n, which keeps the mapping monotone). Each draw is accepted with
 * probability n / 2^(k+1) > 1/2, so the expected number of draws is below 2.
 */
final class JumpBackHash {

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  /** Seeds the per-interval streams apart from MementoHash's rehash of removed buckets. */
  private static final long SEED = 0xD1B54A32D192ED03L;

  private JumpBackHash() {}

  /** The bucket in {@code [0, buckets)} of a key hash; {@code buckets} must be positive. */
  static int bucket(long keyHash, int buckets) {
    int top = buckets - 1;
    if (top <= 0) {
      return 0;
    }
    // Interval k = [2^k, 2^(k+1)) holds a jump when bit k of the key hash is set.
    int k = 31 - Integer.numberOfLeadingZeros(top);
    long jumps = keyHash & ((2L << k) - 1);
    if (jumps == 0) {
      return 0;
    }
    int interval = 63 - Long.numberOfLeadingZeros(jumps);
    long state = Hashing.mix(keyHash ^ ((interval + 1) * SEED));
    int shift = 63 - interval;
    int candidate = (int) (state >>> shift) | (1 << interval);
    if (interval < k || candidate < buckets) {
      return candidate;
    }
    while (true) {
      state = Hashing.mix(state + GOLDEN);
      candidate = (int) (state >>> shift);
      if (candidate < buckets) {
        if (candidate >= (1 << k)) {
          return candidate;
        }
        break;
      }
    }
    // No jump below n in the top interval: the largest jump of the next lower nonempty interval.
    jumps &= (1L << k) - 1;
    if (jumps == 0) {
      return 0;
    }
    interval = 63 - Long.numberOfLeadingZeros(jumps);
    state = Hashing.mix(keyHash ^ ((interval + 1) * SEED));
    return (int) (state >>> (63 - interval)) | (1 << interval);
  }
}
