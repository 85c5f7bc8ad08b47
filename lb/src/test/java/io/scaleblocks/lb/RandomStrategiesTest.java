package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

class RandomStrategiesTest {

  @Test
  void aliasTableGivesEachEndpointExactlyItsWeightShare() {
    int[] weights = {1, 10_000, 7, 9_999, 2, 5_000, 3};
    long total = 0;
    for (int w : weights) {
      total += w;
    }
    RandomStrategy.AliasTable table = new RandomStrategy.AliasTable(
        new TestCandidates(weights), RandomSource.seeded(1));
    int n = weights.length;
    double[] probability = new double[n];
    for (int column = 0; column < n; column++) {
      double keep = table.keep(column) / (double) (1L << 32);
      probability[column] += keep / n;
      probability[table.alias(column)] += (1 - keep) / n;
    }
    for (int i = 0; i < n; i++) {
      assertEquals(weights[i] / (double) total, probability[i], 1e-9, "endpoint " + i);
    }
  }

  @Test
  void weightedRandomSamplesFollowTheWeights() {
    int[] weights = {5, 3, 2};
    Selector selector = new RandomStrategy(true, RandomSource.seeded(7))
        .selector(new TestCandidates(weights), null);
    int[] counts = new int[3];
    int picks = 1_000_000;
    for (int i = 0; i < picks; i++) {
      counts[selector.select(null)]++;
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(weights[i] / 10.0, counts[i] / (double) picks, 0.002, "endpoint " + i);
    }
  }

  @Test
  void powerOfTwoChoicesKeepsEqualEndpointsWithinOnePercentRelativeDeviation() {
    int n = 10;
    TestCandidates candidates = new TestCandidates(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    Selector selector = new LeastRequestStrategy(RandomSource.seeded(3))
        .selector(candidates, null);
    int[] picks = new int[n];
    Deque<Integer> inFlight = new ArrayDeque<>();
    for (int request = 0; request < 1_000_000; request++) {
      int chosen = selector.select(null);
      picks[chosen]++;
      candidates.inFlight[chosen]++;
      inFlight.addLast(chosen);
      if (inFlight.size() > 50) {
        candidates.inFlight[inFlight.removeFirst()]--;
      }
    }
    double mean = 100_000;
    double variance = 0;
    for (int count : picks) {
      variance += (count - mean) * (count - mean) / n;
    }
    double relativeStandardDeviation = Math.sqrt(variance) / mean;
    assertTrue(relativeStandardDeviation <= 0.01, "RSD " + relativeStandardDeviation);
  }

  @Test
  void powerOfTwoChoicesAvoidsTheBusyEndpoint() {
    TestCandidates candidates = new TestCandidates(1, 1, 1);
    candidates.inFlight[0] = 100;
    Selector selector = new LeastRequestStrategy(RandomSource.seeded(5))
        .selector(candidates, null);
    for (int i = 0; i < 10_000; i++) {
      assertTrue(selector.select(null) != 0);
    }
  }

  @Test
  void powerOfTwoChoicesWeighsInFlightByWeight() {
    TestCandidates candidates = new TestCandidates(4, 1);
    candidates.inFlight[0] = 3;
    candidates.inFlight[1] = 1;
    Selector selector = new LeastRequestStrategy(RandomSource.seeded(5))
        .selector(candidates, null);
    assertEquals(0, selector.select(null), "4 per unit of 4 beats 2 per unit of 1");
  }
}
