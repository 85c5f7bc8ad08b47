package io.scaleblocks.lb;

import io.scaleblocks.config.Checks;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Configures a {@link LoadBalancer}. Each setter validates its value and names it in the error.
 * Not thread-safe; {@link #build()} may be called more than once.
 */
public final class LoadBalancerBuilder<T> {

  /** Below this share of a level's endpoints available, the level may panic (Envoy's default). */
  public static final double DEFAULT_PANIC_THRESHOLD = 0.5;

  /** How often time-driven state (ejections, slow start, failure rates) is re-evaluated. */
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(1);

  private static final AtomicInteger INSTANCES = new AtomicInteger();

  final EndpointGroup<T> group;
  String name;
  Strategy strategy = Strategies.smoothWeightedRoundRobin();
  LongSupplier ticker = System::nanoTime;
  ActiveHealthCheck activeHealthCheck;
  OutlierDetection outlierDetection;
  SlowStart slowStart;
  double panicThreshold = DEFAULT_PANIC_THRESHOLD;
  Locality locality;
  Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
  java.util.concurrent.Executor eventExecutor;

  LoadBalancerBuilder(EndpointGroup<T> group) {
    this.group = Objects.requireNonNull(group, "group");
  }

  /** The name in logs and metrics; default {@code lb-<n>}. */
  public LoadBalancerBuilder<T> name(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
    }
    this.name = name;
    return this;
  }

  /** The selection strategy; default {@link Strategies#smoothWeightedRoundRobin()}. */
  public LoadBalancerBuilder<T> strategy(Strategy strategy) {
    this.strategy = Objects.requireNonNull(strategy, "strategy");
    return this;
  }

  /** The nanosecond clock for ejections and slow start; default {@link System#nanoTime()}. */
  public LoadBalancerBuilder<T> ticker(LongSupplier ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    return this;
  }

  /** Probes every endpoint periodically; default none (every endpoint is healthy). */
  public LoadBalancerBuilder<T> activeHealthCheck(ActiveHealthCheck check) {
    this.activeHealthCheck = Objects.requireNonNull(check, "activeHealthCheck");
    return this;
  }

  /** Ejects endpoints whose calls fail; default none. */
  public LoadBalancerBuilder<T> outlierDetection(OutlierDetection detection) {
    this.outlierDetection = Objects.requireNonNull(detection, "outlierDetection");
    return this;
  }

  /** Ramps up endpoints that join or come back; default none. */
  public LoadBalancerBuilder<T> slowStart(SlowStart slowStart) {
    this.slowStart = Objects.requireNonNull(slowStart, "slowStart");
    return this;
  }

  /**
   * Below this share of a locality level's endpoints available, balance that level's share over
   * all its endpoints, as long as the levels' normalised total health is below 100 % (Envoy's
   * rule, see {@link LoadBalancer}); 0 switches panic routing off (picks then fail when nothing is
   * available).
   */
  public LoadBalancerBuilder<T> panicThreshold(double threshold) {
    this.panicThreshold = Checks.fraction("panicThreshold", threshold);
    return this;
  }

  /** Routes to the nearest data center first; default none (zones are ignored). */
  public LoadBalancerBuilder<T> locality(Locality locality) {
    this.locality = Objects.requireNonNull(locality, "locality");
    return this;
  }

  /**
   * How often time-driven state is re-evaluated by a background thread; {@link Duration#ZERO}
   * leaves it to explicit {@link LoadBalancer#refresh()} calls.
   */
  public LoadBalancerBuilder<T> refreshInterval(Duration interval) {
    if (interval == null || interval.isNegative()) {
      throw new IllegalArgumentException("refreshInterval must be >= 0 but was " + interval);
    }
    this.refreshInterval = interval;
    return this;
  }

  /**
   * Where {@link LoadBalancerListener#onEndpointRemoved} events are delivered (the group reports
   * membership changes under its lock, so they are handed over); default a daemon thread of the
   * balancer's own, {@code scaleblocks-lb-<name>-events}, started on the first such event and
   * ended by {@link LoadBalancer#close()}. An executor passed here is not shut down by the
   * balancer; it may run deliveries on several threads, events still go out one at a time and in
   * order. It must not run a delivery on the calling thread (a direct executor): that thread holds
   * the group's delivery lock. A delivery it rejects is logged, and its events go out with the next
   * delivery it accepts.
   */
  public LoadBalancerBuilder<T> eventExecutor(java.util.concurrent.Executor executor) {
    this.eventExecutor = Objects.requireNonNull(executor, "eventExecutor");
    return this;
  }

  /** A started balancer, subscribed to the group and, if configured, health checking. */
  public LoadBalancer<T> build() {
    String instanceName = name != null ? name : "lb-" + INSTANCES.incrementAndGet();
    HealthAwareLoadBalancer<T> balancer = new HealthAwareLoadBalancer<>(this, instanceName);
    balancer.start();
    return balancer;
  }
}
