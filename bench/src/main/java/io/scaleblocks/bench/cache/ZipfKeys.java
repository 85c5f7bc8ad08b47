package io.scaleblocks.bench.cache;

import java.util.SplittableRandom;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.DiscreteSampler;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;

/**
 * Seeded Zipf-distributed keys: Apache Commons RNG's rejection-inversion sampler (Hörmann and
 * Derflinger, 1996) driven by a seeded {@link SplittableRandom}.
 */
final class ZipfKeys {

  private ZipfKeys() {}

  /** {@code count} keys in {@code [0, n)} with the given skew. */
  static Integer[] generate(int n, double exponent, long seed, int count) {
    SplittableRandom random = new SplittableRandom(seed);
    UniformRandomProvider source = random::nextLong;
    DiscreteSampler sampler = RejectionInversionZipfSampler.of(source, n, exponent);
    Integer[] keys = new Integer[count];
    for (int i = 0; i < count; i++) {
      keys[i] = sampler.sample() - 1;
    }
    return keys;
  }
}
