package io.scaleblocks.bench.lb;

import io.scaleblocks.lb.Endpoint;
import io.scaleblocks.lb.EndpointGroup;
import io.scaleblocks.lb.LoadBalancer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of one pick, per strategy, at N = 10 and 1000 endpoints; run with {@code -t 1} and
 * {@code -t 2}. The anchor is the textbook shared {@code AtomicInteger} round robin (gRPC-java's
 * and Spring Cloud LoadBalancer's shape); the naive baseline is nginx's O(N) smooth weighted
 * round robin under a lock. Weights cycle 1..5 so the weighted strategies have work to do.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class PickBenchmark {

  @Param({"sharedAtomicRoundRobin", "nginxSmoothWeightedUnderLock", "roundRobin",
      "smoothWeightedRoundRobin", "random", "weightedRandom", "ipHash", "leastRequest"})
  public String impl;

  @Param({"10", "1000"})
  public int endpoints;

  private Picker picker;
  private LoadBalancer<String> balancer;

  /** One pick given a key; all implementations behind one bimorphic-free call site per run. */
  interface Picker {
    Endpoint<String> pick(String key);
  }

  @Setup
  public void setUp() {
    List<Endpoint<String>> list = new ArrayList<>();
    for (int i = 0; i < endpoints; i++) {
      list.add(Endpoint.of("10.0." + (i / 250) + "." + (i % 250) + ":8080", 1 + i % 5));
    }
    switch (impl) {
      case "sharedAtomicRoundRobin":
        picker = new SharedAtomicRoundRobin(list);
        break;
      case "nginxSmoothWeightedUnderLock":
        picker = new NginxSmoothWeighted(list);
        break;
      default:
        balancer = LoadBalancer.builder(EndpointGroup.of(list)).strategy(NamedStrategies.named(impl)).build();
        LoadBalancer<String> lb = balancer;
        picker = lb::pick;
    }
  }

  @TearDown
  public void tearDown() {
    if (balancer != null) {
      balancer.close();
    }
  }

  /**
   * Client IPs for the hashing strategies, walked per thread. The walking position lives in the
   * middle of its own array rather than in a field: JMH pads a state object after its fields but
   * not before them, so a field written on every pick could share a cache line with whatever the
   * same thread allocated just before (the balancer's snapshot, read by every pick of the other
   * thread), which made two-thread runs bimodal across forks.
   */
  @State(Scope.Thread)
  public static class Clients {
    private static final int POSITION = 32;
    String[] ips;
    final int[] next = new int[2 * POSITION];

    @Setup(Level.Trial)
    public void setUp() {
      ips = new String[1024];
      for (int i = 0; i < ips.length; i++) {
        ips[i] = "192.168." + (i / 256) + "." + (i % 256);
      }
    }

    String nextIp() {
      return ips[next[POSITION]++ & 1023];
    }
  }

  @Benchmark
  public Endpoint<String> pick(Clients clients) {
    return picker.pick(clients.nextIp());
  }

  /** The anchor: one AtomicInteger shared by every thread. */
  static final class SharedAtomicRoundRobin implements Picker {
    private final AtomicInteger counter = new AtomicInteger();
    private final List<Endpoint<String>> endpoints;

    SharedAtomicRoundRobin(List<Endpoint<String>> endpoints) {
      this.endpoints = List.copyOf(endpoints);
    }

    @Override
    public Endpoint<String> pick(String key) {
      return endpoints.get((counter.getAndIncrement() & Integer.MAX_VALUE) % endpoints.size());
    }
  }

  /** The naive baseline: nginx's "current weight" smooth WRR, O(N) per pick, under a lock. */
  static final class NginxSmoothWeighted implements Picker {
    private final List<Endpoint<String>> endpoints;
    private final int[] weights;
    private final long[] current;
    private final long total;

    NginxSmoothWeighted(List<Endpoint<String>> endpoints) {
      this.endpoints = List.copyOf(endpoints);
      this.weights = endpoints.stream().mapToInt(Endpoint::weight).toArray();
      this.current = new long[weights.length];
      long sum = 0;
      for (int w : weights) {
        sum += w;
      }
      this.total = sum;
    }

    @Override
    public synchronized Endpoint<String> pick(String key) {
      int best = 0;
      for (int i = 0; i < weights.length; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      return endpoints.get(best);
    }
  }
}
