package io.scaleblocks.cache;

import java.util.SplittableRandom;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.DiscreteSampler;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;

/**
 * Zipf-distributed ranks in {@code [1, n]}: Apache Commons RNG's rejection-inversion sampler
 * (Hörmann and Derflinger, 1996; O(1) per sample for any n, no tables) driven by a seeded
 * {@link SplittableRandom}, so traces are reproducible.
 */
final class Zipf {

  private final DiscreteSampler sampler;

  Zipf(int n, double exponent, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    UniformRandomProvider source = random::nextLong;
    this.sampler = RejectionInversionZipfSampler.of(source, n, exponent);
  }

  /** A rank: 1 is the most frequent. */
  int next() {
    return sampler.sample();
  }

  /** {@code count} samples as keys {@code 0..n-1}. */
  static int[] trace(int n, double exponent, long seed, int count) {
    Zipf zipf = new Zipf(n, exponent, seed);
    int[] keys = new int[count];
    for (int i = 0; i < count; i++) {
      keys[i] = zipf.next() - 1;
    }
    return keys;
  }
}
