package io.scaleblocks.bench.lb;

import io.scaleblocks.lb.Strategies;
import io.scaleblocks.lb.Strategy;

/** The strategies the lb benchmarks take as a {@code @Param}, by name. */
final class NamedStrategies {

  private NamedStrategies() {}

  static Strategy named(String name) {
    switch (name) {
      case "roundRobin":
        return Strategies.roundRobin();
      case "smoothWeightedRoundRobin":
        return Strategies.smoothWeightedRoundRobin();
      case "random":
        return Strategies.random();
      case "weightedRandom":
        return Strategies.weightedRandom();
      case "ipHash":
        return Strategies.ipHash();
      case "leastRequest":
        return Strategies.leastRequest();
      default:
        throw new IllegalArgumentException("unknown strategy '" + name + "'");
    }
  }
}
