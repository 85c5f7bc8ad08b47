package io.scaleblocks.replication.micrometer;

import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.scaleblocks.replication.NodeState;
import io.scaleblocks.replication.NodeStatus;
import io.scaleblocks.replication.ReplicationDataSource;
import io.scaleblocks.replication.ReplicationListener;
import io.scaleblocks.replication.Role;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Binds a {@link ReplicationDataSource} to Micrometer:
 *
 * <ul>
 *   <li>{@code scaleblocks.replication.connections} (function counter, tags {@code name},
 *       {@code node}, {@code role} = {@code primary|replica}): connections each node served in
 *       each role;
 *   <li>{@code scaleblocks.replication.lag.bytes} (gauge, tags {@code name}, {@code node}) and
 *       {@code scaleblocks.replication.lag} (time gauge in seconds): how far each replica is
 *       behind the primary, as the monitor last saw it;
 *   <li>{@code scaleblocks.replication.nodes} (gauge, tags {@code name}, {@code state} =
 *       {@code primary|replica|lagging|down|fenced|unknown}): nodes per state;
 *   <li>{@code scaleblocks.replication.exclusions} (counter, tags {@code name}, {@code node},
 *       {@code reason} = {@code down|lagging|fenced}): times a node left rotation;
 *   <li>{@code scaleblocks.replication.failovers} (counter, tags {@code name}, {@code kind} =
 *       {@code read|primary}): reads tried elsewhere, and changes of primary;
 *   <li>{@code scaleblocks.replication.causal.reads} (timer, tags {@code name}, {@code served}
 *       = {@code replica|primary}): reads given a causal token and how long they waited;
 *   <li>with {@link #withPoolMetrics()}, HikariCP's own {@code hikaricp.*} meters for every pool
 *       the router built, tagged {@code pool=<name>-<node>}.
 * </ul>
 *
 * <p>Meters read the router's counters and status when they are scraped; the router pays for
 * the listener only on state changes, failovers and causal reads. Thread-safe.
 */
public final class ReplicationMetrics implements MeterBinder {

  private final ReplicationDataSource router;
  private boolean poolMetrics;

  public ReplicationMetrics(ReplicationDataSource router) {
    this.router = Objects.requireNonNull(router, "router");
  }

  /** Also registers HikariCP's pool meters (at most one binding per router). */
  public ReplicationMetrics withPoolMetrics() {
    this.poolMetrics = true;
    return this;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    String name = router.name();
    for (NodeStatus node : router.status()) {
      String nodeName = node.name();
      for (Role role : Role.values()) {
        FunctionCounter.builder("scaleblocks.replication.connections", router,
                r -> r.connectionsServed(nodeName, role))
            .tags("name", name, "node", nodeName, "role", role.name().toLowerCase(Locale.ROOT))
            .description("connections the node served in this role")
            .register(registry);
      }
      Gauge.builder("scaleblocks.replication.lag.bytes", router, r -> find(r, nodeName).map(NodeStatus::lagBytes).orElse(0L))
          .tags("name", name, "node", nodeName).baseUnit("bytes")
          .description("bytes of log the replica is behind the primary").register(registry);
      TimeGauge.builder("scaleblocks.replication.lag", router, TimeUnit.MILLISECONDS,
              r -> find(r, nodeName).map(s -> (double) s.lag().toMillis()).orElse(0.0))
          .tags("name", name, "node", nodeName)
          .description("how long ago the primary was where the replica is").register(registry);
    }
    for (NodeState state : NodeState.values()) {
      Gauge.builder("scaleblocks.replication.nodes", router,
              r -> r.status().stream().filter(s -> s.state() == state).count())
          .tags("name", name, "state", state.name().toLowerCase(Locale.ROOT))
          .description("nodes in this state").register(registry);
    }
    router.addListener(new Listener(registry, name));
    if (poolMetrics) {
      router.trackPools(new MicrometerMetricsTrackerFactory(registry));
    }
  }

  private static Optional<NodeStatus> find(ReplicationDataSource router, String node) {
    return router.status().stream().filter(s -> s.name().equals(node)).findFirst();
  }

  private static final class Listener implements ReplicationListener {
    private final MeterRegistry registry;
    private final String name;
    private final Counter readFailovers;
    private final Counter primaryFailovers;
    private final Timer causalReplica;
    private final Timer causalPrimary;

    Listener(MeterRegistry registry, String name) {
      this.registry = registry;
      this.name = name;
      this.readFailovers = Counter.builder("scaleblocks.replication.failovers")
          .tags("name", name, "kind", "read").register(registry);
      this.primaryFailovers = Counter.builder("scaleblocks.replication.failovers")
          .tags("name", name, "kind", "primary").register(registry);
      this.causalReplica = Timer.builder("scaleblocks.replication.causal.reads")
          .tags("name", name, "served", "replica").register(registry);
      this.causalPrimary = Timer.builder("scaleblocks.replication.causal.reads")
          .tags("name", name, "served", "primary").register(registry);
    }

    @Override
    public void onNodeChange(NodeStatus previous, NodeStatus current) {
      NodeState state = current.state();
      if (state == NodeState.DOWN || state == NodeState.LAGGING || state == NodeState.FENCED) {
        Counter.builder("scaleblocks.replication.exclusions")
            .tags("name", name, "node", current.name(), "reason", state.name().toLowerCase(Locale.ROOT))
            .register(registry).increment();
      }
    }

    @Override
    public void onPrimaryChange(Optional<String> previous, Optional<String> current) {
      if (current.isPresent()) {
        primaryFailovers.increment();
      }
    }

    @Override
    public void onReadFailover(String failed) {
      readFailovers.increment();
    }

    @Override
    public void onCausalRead(boolean servedByReplica, long waitedNanos) {
      (servedByReplica ? causalReplica : causalPrimary).record(waitedNanos, TimeUnit.NANOSECONDS);
    }
  }
}
