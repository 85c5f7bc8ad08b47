package io.scaleblocks.lb.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.scaleblocks.lb.Endpoint;
import io.scaleblocks.lb.EndpointStatus;
import io.scaleblocks.lb.LoadBalancer;
import io.scaleblocks.lb.LoadBalancerListener;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Binds a {@link LoadBalancer} to Micrometer, in the style of Micrometer's own binders:
 * {@code new LoadBalancerMetrics<>(lb).bindTo(registry)}. Every meter carries the tag
 * {@code name} (the balancer's name) and the extra tags given to the constructor:
 *
 * <ul>
 *   <li>{@code scaleblocks.lb.picks} (counter, tag {@code endpoint}): picks per endpoint;
 *   <li>{@code scaleblocks.lb.endpoints} (gauge, tag {@code state} =
 *       {@code available|unhealthy|ejected}): endpoints per health state;
 *   <li>{@code scaleblocks.lb.panic} (gauge): 1 while some locality level panics;
 *   <li>{@code scaleblocks.lb.ejections} (counter, tag {@code endpoint});
 *   <li>{@code scaleblocks.lb.retries} (counter, tag {@code result} =
 *       {@code retried|budget_exhausted}).
 * </ul>
 *
 * <p>The per-endpoint meters ({@code picks}, {@code ejections}) are removed from the registry
 * when their endpoint leaves the group, so churn of addresses does not grow the registry.
 *
 * <p>A balancer that is never bound pays nothing: it has no listener to call. Bound, a pick
 * costs one concurrent-map read and a counter increment. Thread-safe.
 */
public final class LoadBalancerMetrics<T> implements MeterBinder {

  private final LoadBalancer<T> balancer;
  private final Tags tags;

  /** Meters for {@code balancer}, tagged with its name. */
  public LoadBalancerMetrics(LoadBalancer<T> balancer) {
    this(balancer, Tags.empty());
  }

  /** Meters for {@code balancer}, tagged with its name and {@code tags}. */
  public LoadBalancerMetrics(LoadBalancer<T> balancer, Iterable<Tag> tags) {
    this.balancer = Objects.requireNonNull(balancer, "balancer");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags")).and("name", balancer.name());
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    endpointGauge(registry, "available", EndpointStatus::available);
    endpointGauge(registry, "unhealthy", status -> !status.healthy());
    endpointGauge(registry, "ejected", EndpointStatus::ejected);
    Gauge.builder("scaleblocks.lb.panic", balancer, lb -> lb.panicking() ? 1 : 0)
        .tags(tags)
        .description("1 while a locality level routes over all its endpoints, healthy or not")
        .register(registry);
    Counter retried = Counter.builder("scaleblocks.lb.retries")
        .tags(tags).tag("result", "retried").register(registry);
    Counter exhausted = Counter.builder("scaleblocks.lb.retries")
        .tags(tags).tag("result", "budget_exhausted").register(registry);
    balancer.addListener(new Recorder(registry, retried, exhausted));
  }

  private void endpointGauge(
      MeterRegistry registry, String state, Predicate<EndpointStatus<T>> inState) {
    Gauge.builder("scaleblocks.lb.endpoints", balancer,
            lb -> lb.status().stream().filter(inState).count())
        .tags(tags).tag("state", state)
        .description("endpoints of the group by health state")
        .register(registry);
  }

  /** The listener that counts; one per binding. */
  private final class Recorder implements LoadBalancerListener<T> {
    private final MeterRegistry registry;
    private final Counter retried;
    private final Counter exhausted;
    private final Map<Object, Counter> picks = new ConcurrentHashMap<>();
    private final Map<Object, Counter> ejections = new ConcurrentHashMap<>();

    Recorder(MeterRegistry registry, Counter retried, Counter exhausted) {
      this.registry = registry;
      this.retried = retried;
      this.exhausted = exhausted;
    }

    @Override
    public void onPick(Endpoint<T> endpoint) {
      Counter counter = picks.get(endpoint.address());
      if (counter == null) {
        counter = picks.computeIfAbsent(endpoint.address(), address ->
            Counter.builder("scaleblocks.lb.picks").tags(tags).tag("endpoint", endpoint.id())
                .description("requests sent to the endpoint").register(registry));
      }
      counter.increment();
    }

    @Override
    public void onEjection(Endpoint<T> endpoint, Duration duration) {
      ejections.computeIfAbsent(endpoint.address(), address ->
          Counter.builder("scaleblocks.lb.ejections").tags(tags).tag("endpoint", endpoint.id())
              .description("outlier ejections of the endpoint").register(registry))
          .increment();
    }

    @Override
    public void onEndpointRemoved(Endpoint<T> endpoint) {
      Counter pickCounter = picks.remove(endpoint.address());
      if (pickCounter != null) {
        registry.remove(pickCounter);
      }
      Counter ejectionCounter = ejections.remove(endpoint.address());
      if (ejectionCounter != null) {
        registry.remove(ejectionCounter);
      }
    }

    @Override
    public void onRetry(Endpoint<T> failed) {
      retried.increment();
    }

    @Override
    public void onRetryBudgetExhausted(Endpoint<T> failed) {
      exhausted.increment();
    }
  }
}
