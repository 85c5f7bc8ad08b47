package io.scaleblocks.lb;

import java.util.concurrent.ThreadLocalRandom;

/**
 * One immutable routing state of a balancer: the locality levels with their selectors and the
 * cumulative share of traffic each level receives.
 */
final class Snapshot<T> {

  final Level<T>[] levels;
  /** Every level with candidates, nearest first, including those with no share: for retries. */
  final Level<T>[] ranked;
  /** cumulative[i] = share of levels 0..i; the last is 1. */
  final double[] cumulative;
  final boolean panic;
  final String emptyReason;

  Snapshot(Level<T>[] levels, Level<T>[] ranked, double[] cumulative, boolean panic,
      String emptyReason) {
    this.levels = levels;
    this.ranked = ranked;
    this.cumulative = cumulative;
    this.panic = panic;
    this.emptyReason = emptyReason;
  }

  /**
   * The level of a request: by the key's hash when there is a key, so a key keeps its level
   * while the shares hold, else at random.
   */
  Level<T> level(CharSequence key) {
    double u = key == null ? ThreadLocalRandom.current().nextDouble() : unitHash(key);
    for (int i = 0; i < cumulative.length - 1; i++) {
      if (u < cumulative[i]) {
        return levels[i];
      }
    }
    return levels[levels.length - 1];
  }

  private static double unitHash(CharSequence key) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < key.length(); i++) {
      h = (h ^ key.charAt(i)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return (h >>> 11) * 0x1.0p-53;
  }
}
