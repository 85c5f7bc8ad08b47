package io.scaleblocks.session.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStoreException;
import io.scaleblocks.session.SessionStoreStats;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link SessionStore}'s counts and latencies to a registry, every meter tagged {@code
 * name=<store name>} plus the given tags:
 *
 * <ul>
 *   <li>{@code scaleblocks.session.created}, {@code .expired}, {@code .deleted}, {@code
 *       .id.rotations}, {@code .conflicts}, {@code .malformed.ids}: counters of {@link
 *       SessionStoreStats};
 *   <li>{@code scaleblocks.session.active}: a gauge of live sessions, only for stores that can
 *       count them (in-memory, JDBC, where each read is a {@code COUNT} query);
 *   <li>{@code scaleblocks.session.store.latency}: a timer per {@code operation} ({@code find},
 *       {@code save}, {@code touch}, {@code delete}, {@code changeId}) and {@code outcome} ({@code
 *       success}, {@code failure}).
 * </ul>
 *
 * <p>Binding installs the store's latency listener (replacing any other); until then the store
 * does not even read the clock for it.
 */
public final class SessionStoreMetrics implements MeterBinder {

  static final List<String> OPERATIONS = List.of("find", "save", "touch", "delete", "changeId");

  private final SessionStore store;
  private final Iterable<Tag> tags;

  public SessionStoreMetrics(SessionStore store) {
    this(store, Tags.empty());
  }

  public SessionStoreMetrics(SessionStore store, Iterable<Tag> tags) {
    this.store = Objects.requireNonNull(store, "store");
    this.tags = Tags.concat(tags, "name", store.name());
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "scaleblocks.session.created", "sessions saved for the first time", SessionStoreStats::created);
    counter(registry, "scaleblocks.session.expired", "sessions the store saw expire", SessionStoreStats::expired);
    counter(registry, "scaleblocks.session.deleted", "sessions deleted", SessionStoreStats::deleted);
    counter(registry, "scaleblocks.session.id.rotations", "session ids changed", SessionStoreStats::idRotations);
    counter(registry, "scaleblocks.session.conflicts", "saves refused by the version rule", SessionStoreStats::conflicts);
    counter(registry, "scaleblocks.session.malformed.ids", "finds refused for an id of the wrong shape",
        SessionStoreStats::malformedIds);
    if (countsActiveSessions()) {
      Gauge.builder("scaleblocks.session.active", store, s -> s.activeSessions().orElse(0))
          .description("live sessions").tags(tags).register(registry);
    }
    Map<String, Timer> timers = new HashMap<>();
    for (String operation : OPERATIONS) {
      for (String outcome : List.of("success", "failure")) {
        timers.put(operation + outcome, Timer.builder("scaleblocks.session.store.latency")
            .description("time of one store call").tags(tags).tag("operation", operation).tag("outcome", outcome)
            .register(registry));
      }
    }
    store.latencyListener((operation, nanos, failed) -> {
      Timer timer = timers.get(operation + (failed ? "failure" : "success"));
      if (timer != null) {
        timer.record(nanos, TimeUnit.NANOSECONDS);
      }
    });
  }

  /**
   * Whether the store counts its live sessions. A store that cannot answer now (its database is
   * down while the application starts) is one that counts by asking its backend: it gets the gauge,
   * which reads NaN until the backend answers, and binding does not fail.
   */
  private boolean countsActiveSessions() {
    try {
      return store.activeSessions().isPresent();
    } catch (SessionStoreException e) {
      return true;
    }
  }

  private void counter(MeterRegistry registry, String name, String description,
      ToDoubleFunction<SessionStoreStats> count) {
    FunctionCounter.builder(name, store, s -> count.applyAsDouble(s.stats())).description(description).tags(tags)
        .register(registry);
  }
}
