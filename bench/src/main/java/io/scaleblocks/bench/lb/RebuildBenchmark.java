package io.scaleblocks.bench.lb;

import io.scaleblocks.lb.Endpoint;
import io.scaleblocks.lb.EndpointGroup;
import io.scaleblocks.lb.LoadBalancer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of one membership change at N = 1000 (a weight update of one endpoint), which rebuilds and
 * publishes the balancer's snapshot: the work done off the hot path, on the changing thread.
 * Equal weights ("equal") and weights cycling 1..5 ("mixed").
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class RebuildBenchmark {

  @Param({"roundRobin", "smoothWeightedRoundRobin", "weightedRandom", "ipHash", "leastRequest"})
  public String impl;

  @Param({"equal", "mixed"})
  public String weights;

  @Param({"1000"})
  public int endpoints;

  private EndpointGroup<String> group;
  private LoadBalancer<String> balancer;
  private Endpoint<String> changing;
  private int flip;

  @Setup
  public void setUp() {
    List<Endpoint<String>> list = new ArrayList<>();
    for (int i = 0; i < endpoints; i++) {
      int weight = weights.equals("equal") ? 2 : 1 + i % 5;
      list.add(Endpoint.of("10.0." + (i / 250) + "." + (i % 250) + ":8080", weight));
    }
    group = EndpointGroup.of(list);
    balancer = LoadBalancer.builder(group).strategy(NamedStrategies.named(impl)).build();
    changing = list.get(endpoints / 2);
  }

  @TearDown
  public void tearDown() {
    balancer.close();
  }

  /** Toggles the middle endpoint's weight between its own and its own + 1 (never equal). */
  @Benchmark
  public void updateWeight() {
    flip ^= 1;
    group.update(changing.withWeight(changing.weight() + flip));
  }
}
