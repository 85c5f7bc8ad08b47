package io.scaleblocks.lb.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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
 * Binds a {@link LoadBalancer} to Micrometer:
 *
 * <ul>
 *   <li>{@code scaleblocks.lb.picks} (counter, tags {@code name}, {@code endpoint}): picks per
 *       endpoint;
 *   <li>{@code scaleblocks.lb.endpoints} (gauge, tags {@code name}, {@code state} =
 *       {@code available|unhealthy|ejected}): endpoints per health state;
 *   <li>{@code scaleblocks.lb.panic} (gauge, tag {@code name}): 1 while panicking;
 *   <li>{@code scaleblocks.lb.ejections} (counter, tags {@code name}, {@code endpoint});
 *   <li>{@code scaleblocks.lb.retries} (counter, tags {@code name}, {@code result} =
 *       {@code retried|budget_exhausted}).
 * </ul>
 *
 * <p>A balancer that is never bound pays nothing: it calls an empty listener. Bound, a pick costs
 * one concurrent-map read and a counter increment. Thread-safe.
 */
public final class LoadBalancerMetrics<T> implements MeterBinder {

  private final LoadBalancer<T> balancer;

  public LoadBalancerMetrics(LoadBalancer<T> balancer) {
    this.balancer = Objects.requireNonNull(balancer, "balancer");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    String name = balancer.name();
    endpointGauge(registry, "available", EndpointStatus::available);
    endpointGauge(registry, "unhealthy", status -> !status.healthy());
    endpointGauge(registry, "ejected", EndpointStatus::ejected);
    Gauge.builder("scaleblocks.lb.panic", balancer, lb -> lb.panicking() ? 1 : 0)
        .tag("name", name)
        .description("1 while the balancer routes over all endpoints, healthy or not")
        .register(registry);
    Counter retried = Counter.builder("scaleblocks.lb.retries")
        .tags("name", name, "result", "retried").register(registry);
    Counter exhausted = Counter.builder("scaleblocks.lb.retries")
        .tags("name", name, "result", "budget_exhausted").register(registry);
    Map<Object, Counter> picks = new ConcurrentHashMap<>();
    balancer.addListener(new LoadBalancerListener<>() {
      @Override
      public void onPick(Endpoint<T> endpoint) {
        Counter counter = picks.get(endpoint.address());
        if (counter == null) {
          counter = picks.computeIfAbsent(endpoint.address(), address ->
              Counter.builder("scaleblocks.lb.picks")
                  .tags("name", name, "endpoint", endpoint.id())
                  .description("requests sent to the endpoint")
                  .register(registry));
        }
        counter.increment();
      }

      @Override
      public void onEjection(Endpoint<T> endpoint, Duration duration) {
        Counter.builder("scaleblocks.lb.ejections")
            .tags("name", name, "endpoint", endpoint.id())
            .register(registry)
            .increment();
      }

      @Override
      public void onRetry(Endpoint<T> failed) {
        retried.increment();
      }

      @Override
      public void onRetryBudgetExhausted(Endpoint<T> failed) {
        exhausted.increment();
      }
    });
  }

  private void endpointGauge(
      MeterRegistry registry, String state, Predicate<EndpointStatus<T>> inState) {
    Gauge.builder("scaleblocks.lb.endpoints", balancer,
            lb -> lb.status().stream().filter(inState).count())
        .tags("name", balancer.name(), "state", state)
        .description("endpoints of the group by health state")
        .register(registry);
  }
}
