package io.scaleblocks.lb;

import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

/** Random bits for the randomised strategies; seeded in tests, thread-local in production. */
@FunctionalInterface
interface RandomSource {

  RandomSource THREAD_LOCAL = () -> ThreadLocalRandom.current().nextLong();

  long nextLong();

  /** A deterministic source for single-threaded tests and simulations. */
  static RandomSource seeded(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return random::nextLong;
  }

  /** Maps 32 random bits onto {@code [0, bound)} without division (Lemire's multiply-shift). */
  static int reduce(long bits32, int bound) {
    return (int) (((bits32 & 0xFFFF_FFFFL) * bound) >>> 32);
  }
}
