package io.scaleblocks.replication;

import io.scaleblocks.lb.Endpoint;
import io.scaleblocks.lb.EndpointGroup;
import io.scaleblocks.lb.LoadBalancer;
import io.scaleblocks.lb.LoadBalancerListener;
import io.scaleblocks.lb.NoEndpointAvailableException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ReplicationDataSource}: a topology snapshot read without locks on every route,
 * swapped under a lock by the monitor and by failed connections. See the interface for the
 * contract.
 */
final class RoutingDataSource implements ReplicationDataSource {

  private static final org.slf4j.Logger log = LoggerFactory.getLogger(RoutingDataSource.class);

  private final String name;
  private final ReplicationConfig config;
  private final List<Node> nodes;
  private final Map<String, Node> byName;
  private final EndpointGroup<String> rotationGroup = EndpointGroup.of(List.of());
  private final LoadBalancer<String> balancer;
  private final ReentrantLock lock = new ReentrantLock();
  private final PositionHistory history = new PositionHistory();
  private final Topology.Limits limits;
  private final List<ReplicationListener> listeners = new CopyOnWriteArrayList<>();
  private final ThreadLocal<RouteContext> contexts = ThreadLocal.withInitial(RouteContext::new);
  private final CausalReads causalReads;
  private final ReplicaLagMonitor monitor;
  private final Scheduler scheduler;
  private volatile Topology topology;
  /** Topology changes not told to the listeners yet, in the order they were made. */
  private final java.util.Queue<Change> unreported = new java.util.concurrent.ConcurrentLinkedQueue<>();
  /** Whether a thread is telling the listeners of {@link #unreported} changes. */
  private final java.util.concurrent.atomic.AtomicBoolean reporting = new java.util.concurrent.atomic.AtomicBoolean();
  /**
   * Whether a scope was ever opened on this router; until then no thread has one, and routing
   * skips the thread-local lookup. Set before the first scope opens, by the thread opening it,
   * which therefore sees it.
   */
  private volatile boolean scopesOpened;
  /** Runs the drivers' aborts (network timeouts, connections of a node that went down). */
  private static final java.util.concurrent.Executor ABORTS = java.util.concurrent.ForkJoinPool.commonPool();

  private record Change(Topology before, Topology after) {}

  /** A physical connection and where it came from. */
  record Bound(Connection connection, Node node, boolean onReplica, RouteContext.Causal causal) {}

  private RoutingDataSource(ReplicationConfig config) {
    this.name = config.name;
    this.config = config;
    this.scheduler = config.scheduler.apply(name);
    List<Node> opened = new ArrayList<>();
    try {
      opened.add(Node.open(name, config.primary, config, ABORTS, scheduler::nanoTime));
      for (NodeSpec replica : config.replicas) {
        opened.add(Node.open(name, replica, config, ABORTS, scheduler::nanoTime));
      }
    } catch (RuntimeException e) {
      opened.forEach(Node::close);
      scheduler.close();
      throw e;
    }
    this.nodes = List.copyOf(opened);
    Map<String, Node> names = new LinkedHashMap<>();
    nodes.forEach(node -> names.put(node.name, node));
    this.byName = Map.copyOf(names);
    this.balancer = LoadBalancer.builder(rotationGroup).name(name).strategy(config.strategy)
        .panicThreshold(0).refreshInterval(Duration.ZERO).build();
    this.limits = new Topology.Limits(config.maxLagBytes, config.maxLag);
    this.topology = Topology.initial(nodes, config.clock.instant());
    publishRotation(topology);
    this.causalReads = new CausalReads(this, config.causalWait, config.causalPoll, scheduler);
    this.monitor = new ReplicaLagMonitor(name, nodes, config, () -> topology.primary,
        node -> topology.statuses.get(node).state() == NodeState.DOWN, this::apply, scheduler);
  }

  static RoutingDataSource start(ReplicationConfig config) {
    RoutingDataSource router = new RoutingDataSource(config);
    router.monitor.firstPoll();
    if (config.monitor) {
      router.monitor.start();
    }
    return router;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Connection getConnection() {
    return new LazyConnection(this, scopesOpened ? contexts.get().route() : RouteContext.Route.NONE);
  }

  /** Not supported: each node's pool has its credentials. */
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException(
        name + " - credentials are per pool; configure them in the HikariConfig");
  }

  // ---- routing

  /**
   * Takes a physical connection for a connection starting now: from the primary unless
   * {@code toReplica}, else from a replica that has the causal scope's token.
   */
  /**
   * Takes a physical connection for {@code into}, starting now: from the primary unless
   * {@code toReplica}, else from a replica that has the causal scope's token. Tells {@code into}
   * where it came from ({@link LazyConnection#lentBy}) before returning it.
   */
  Connection acquire(LazyConnection into, boolean toReplica) throws SQLException {
    RouteContext.Causal causal = scopesOpened ? contexts.get().causal : null;
    if (!toReplica) {
      Node primary = requirePrimary(topology);
      Connection c = connect(primary, false);
      into.lentBy(primary, false, causal);
      return c;
    }
    if (causal != null && causal.hasUncapturedCommits()) {
      // An auto-commit write on a connection still open: its position is taken now, by one
      // query on the primary, as no commit() or close() took it yet.
      causal.advance(currentToken());
    }
    CausalToken token = causal == null ? null : causal.tokenOrNull();
    if (token != null) {
      Bound bound = causalReads.acquire(token);
      into.lentBy(bound.node(), bound.onReplica(), bound.causal());
      return bound.connection();
    }
    return replicaOrFallback(into);
  }

  /** A connection from a replica in rotation, else the fallback. */
  Bound replicaOrFallback() throws SQLException {
    LazyConnection into = new LazyConnection(this, RouteContext.Route.NONE);
    Connection c = replicaOrFallback(into);
    return new Bound(c, into.node(), into.onReplica(), null);
  }

  private Connection replicaOrFallback(LazyConnection into) throws SQLException {
    Topology current = topology;
    Node first = pick(current);
    if (first != null) {
      Connection c = tryReplica(first);
      if (c != null) {
        into.lentBy(first, true, null);
        return c;
      }
      for (Node other : current.rotation) {
        if (other != first && topology.rotation.contains(other)) {
          c = tryReplica(other);
          if (c != null) {
            into.lentBy(other, true, null);
            return c;
          }
        }
      }
    }
    // FAIL is about replicas that cannot serve; with none configured (an embedded profile) the
    // primary is where reads go, as the README says.
    if (config.readFallback == ReadFallback.FAIL && !config.replicas.isEmpty()) {
      throw new SQLTransientConnectionException(name + " - no replica can serve a read: "
          + describe(topology, Role.REPLICA), "08001");
    }
    Node primary = requirePrimary(topology);
    Connection c = connect(primary, false);
    into.lentBy(primary, false, null);
    return c;
  }

  /** A read on the primary: it has every commit, so it needs no token capture. */
  Bound primaryForRead() throws SQLException {
    Node primary = requirePrimary(topology);
    return new Bound(connect(primary, false), primary, false, null);
  }

  /** The replica the strategy picks from {@code current}'s rotation, or null when it is empty. */
  Node pick(Topology current) {
    if (current.rotation.isEmpty()) {
      return null;
    }
    try {
      return byName.get(balancer.pick().address());
    } catch (NoEndpointAvailableException e) {
      return null;
    }
  }

  /** A connection from {@code replica}, or null (and the replica marked down) when it fails. */
  Connection tryReplica(Node replica) {
    try {
      return connect(replica, true);
    } catch (SQLException e) {
      log.warn("{} - replica {} gave no connection, trying elsewhere: {}", name, replica.label(), e.getMessage());
      fire(listener -> listener.onReadFailover(replica.name));
      return null;
    }
  }

  Connection connect(Node node, boolean asReplica) throws SQLException {
    Connection c;
    try {
      c = node.connect();
    } catch (SQLException e) {
      // A replica that gives no connection leaves rotation whatever the error: a pool that
      // times out (no SQLState of its own; the node may hang) or a server that answers "no"
      // (53300 too many clients, 28P01 a password) would fail the next read as well. The
      // connections in use on it are aborted only when the node itself failed. The primary is
      // marked down by connection failures only: a write has nowhere else to go.
      boolean failed = isConnectionFailure(e);
      boolean poolTimedOut = e instanceof SQLTransientConnectionException && asReplica;
      if (failed || asReplica) {
        markDown(node, "connection failed: " + e.getMessage(), failed && !poolTimedOut);
        if (config.monitor) {
          monitor.pollSoon();
        }
      }
      throw new SQLTransientConnectionException(name + " - " + (asReplica ? "replica " : "primary ")
          + node.label() + " gave no connection: " + e.getMessage(), "08001", e);
    }
    node.lent(c);
    if (asReplica) {
      node.servedAsReplica.increment();
      if (config.countsCallsInFlight) {
        balancer.callStarted(node.endpoint);
      }
    } else {
      node.servedAsPrimary.increment();
    }
    return c;
  }

  /** Returns a physical connection (may be null after an abort) taken by {@link #acquire}. */
  void release(Node node, boolean onReplica, Connection c) throws SQLException {
    try {
      if (c != null) {
        node.returned(c);
        if (onReplica && c.isClosed()) {
          // The pool closed it because it broke, perhaps with its node: out of rotation until
          // the monitor, asked to look now, finds the node answering again.
          markDown(node, "a connection to it broke", true);
          if (config.monitor) {
            monitor.pollSoon();
          }
        }
        c.close();
      }
    } finally {
      if (onReplica && config.countsCallsInFlight) {
        balancer.callFinished(node.endpoint, true);
      }
    }
  }

  /**
   * Returns a physical connection that kept state it must not pass on: evicted from its pool
   * (closed, for a user's DataSource), without taking the node out of rotation.
   */
  void evict(Node node, boolean onReplica, Connection c) throws SQLException {
    log.warn("{} - a connection to {} could not be reset and is evicted", name, node.label());
    node.returned(c);
    try {
      // An evicted connection that is in use is closed by the pool when it comes back.
      node.ownedPool().ifPresent(pool -> pool.evictConnection(c));
      c.close();
    } finally {
      if (onReplica && config.countsCallsInFlight) {
        balancer.callFinished(node.endpoint, true);
      }
    }
  }

  private Node requirePrimary(Topology current) throws SQLException {
    Node primary = current.primary;
    if (primary == null) {
      throw new SQLTransientConnectionException(
          name + " - no primary to write to: " + describe(current, Role.PRIMARY), "08001");
    }
    return primary;
  }

  private static String describe(Topology current, Role first) {
    StringBuilder text = new StringBuilder();
    for (NodeStatus status : current.statuses.values()) {
      if (text.length() > 0) {
        text.append("; ");
      }
      text.append(status.label()).append(' ').append(status.state()).append(" (").append(status.detail()).append(')');
    }
    return text.toString();
  }

  static boolean isConnectionFailure(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
        return true;
      }
    }
    return false;
  }

  /** Sets the configured network timeout on {@code c}; a driver without one is left as it is. */
  void applyNetworkTimeout(Connection c) throws SQLException {
    long millis = config.networkTimeout.toMillis();
    if (millis > 0) {
      try {
        c.setNetworkTimeout(ABORTS, (int) millis);
      } catch (SQLFeatureNotSupportedException e) {
        log.debug("{} - the driver has no network timeout: {}", name, e.getMessage());
      }
    }
  }

  boolean defaultAutoCommit() {
    return config.hikari.isAutoCommit();
  }

  Topology topology() {
    return topology;
  }

  // ---- topology changes

  /**
   * Takes {@code node} out of rotation; with {@code abortInUse} (the node failed, not just its
   * pool ran out) the connections in use on it are aborted too.
   */
  private void markDown(Node node, String reason, boolean abortInUse) {
    node.symptom();
    change(current -> current.withDown(node, reason, config.clock.instant()), abortInUse);
  }

  /**
   * Applies one round of probes (the monitor's callback), except the answers of probes that
   * started before a connection to their node failed: such an answer is older than the failure
   * and would bring back a node that has just been seen failing.
   */
  void apply(Map<Node, ProbeOutcome> outcomes) {
    change(current -> current.next(nodes, withoutStaleAnswers(outcomes), config.clock.instant(),
        history, limits), true);
  }

  /** Runs under the lock, so a failure either counts before this round or comes after it. */
  private static Map<Node, ProbeOutcome> withoutStaleAnswers(Map<Node, ProbeOutcome> outcomes) {
    Map<Node, ProbeOutcome> fresh = outcomes;
    for (Map.Entry<Node, ProbeOutcome> entry : outcomes.entrySet()) {
      if (entry.getValue() instanceof ProbeOutcome.Answered answered
          && answered.symptomsAtStart() != entry.getKey().symptoms()) {
        if (fresh == outcomes) {
          fresh = new LinkedHashMap<>(outcomes);
        }
        fresh.remove(entry.getKey());
      }
    }
    return fresh;
  }

  private void change(java.util.function.UnaryOperator<Topology> edit, boolean abortInUse) {
    Topology before;
    Topology after;
    lock.lock();
    try {
      before = topology;
      after = edit.apply(before);
      if (after == before) {
        return;
      }
      // The balancer first: a reader that sees a replica in the topology's rotation finds it in
      // the balancer too (the group delivers to the balancer before replaceAll returns).
      if (!after.rotation.equals(before.rotation)) {
        publishRotation(after);
      }
      topology = after;
      unreported.add(new Change(before, after));
    } finally {
      lock.unlock();
    }
    if (abortInUse) {
      abortConnectionsOfNodesDown(before, after);
    }
    reportInOrder();
  }

  /**
   * Tells the listeners of the changes not told yet, in the order they were made, from one thread
   * at a time. A thread that finds another one telling leaves its change to that one: listeners
   * never see a later change before an earlier one, and one that changes the topology itself, or
   * waits for a thread that does, deadlocks nothing.
   */
  private void reportInOrder() {
    // Re-checked after each release: a change queued while this thread still held the flag
    // was left to it.
    while (!unreported.isEmpty() && reporting.compareAndSet(false, true)) {
      try {
        for (Change change = unreported.poll(); change != null; change = unreported.poll()) {
          TopologyEvents.report(name, change.before(), change.after(), listeners);
        }
      } finally {
        reporting.set(false);
      }
    }
  }

  private void abortConnectionsOfNodesDown(Topology before, Topology after) {
    for (Node node : nodes) {
      if (after.statuses.get(node).state() == NodeState.DOWN
          && before.statuses.get(node).state() != NodeState.DOWN) {
        int aborted = node.abortLent(ABORTS);
        if (aborted > 0) {
          log.warn("{} - {} is down: aborted the {} connection(s) in use on it", name, node.label(), aborted);
        }
      }
    }
  }

  private void publishRotation(Topology current) {
    List<Endpoint<String>> endpoints = new ArrayList<>();
    current.rotation.forEach(node -> endpoints.add(node.endpoint));
    rotationGroup.replaceAll(endpoints);
  }

  private void fire(java.util.function.Consumer<ReplicationListener> event) {
    TopologyEvents.fire(name, listeners, event);
  }

  void causalOutcome(boolean servedByReplica, long waitedNanos) {
    fire(listener -> listener.onCausalRead(servedByReplica, waitedNanos));
  }

  // ---- scopes

  @Override
  public <T> T readOnly(SqlWork<T> work) throws SQLException {
    Scope scope = readOnlyScope();
    try {
      return work.run();
    } finally {
      scope.close();
    }
  }

  @Override
  public <T> T onPrimary(SqlWork<T> work) throws SQLException {
    Scope scope = primaryScope();
    try {
      return work.run();
    } finally {
      scope.close();
    }
  }

  @Override
  public Scope readOnlyScope() {
    return new RouteContext.Counted(scopeContext(), false);
  }

  @Override
  public Scope primaryScope() {
    return new RouteContext.Counted(scopeContext(), true);
  }

  @Override
  public CausalScope causalScope() {
    return new RouteContext.Causal(scopeContext(), null);
  }

  @Override
  public CausalScope causalScope(CausalToken token) {
    Objects.requireNonNull(token, "token");
    return new RouteContext.Causal(scopeContext(), token);
  }

  /** The calling thread's scopes, for a scope about to open. */
  private RouteContext scopeContext() {
    if (!scopesOpened) {
      scopesOpened = true;
    }
    return contexts.get();
  }

  @Override
  public CausalToken currentToken() throws SQLException {
    Node primary = requirePrimary(topology);
    Connection c = connect(primary, false);
    try {
      return new CausalToken(primary.dialect.commitPosition(c));
    } finally {
      release(primary, false, c);
    }
  }

  // ---- status

  @Override
  public List<NodeStatus> status() {
    return List.copyOf(topology.statuses.values());
  }

  @Override
  public Optional<NodeStatus> primary() {
    Topology current = topology;
    return Optional.ofNullable(current.primary).map(current.statuses::get);
  }

  @Override
  public Map<String, Long> connectionsServed() {
    Map<String, Long> served = new LinkedHashMap<>();
    nodes.forEach(node -> served.put(node.name, node.servedAsPrimary.sum() + node.servedAsReplica.sum()));
    return served;
  }

  @Override
  public long connectionsServed(String node, Role role) {
    Node n = byName.get(Objects.requireNonNull(node, "node"));
    if (n == null) {
      return 0;
    }
    return role == Role.PRIMARY ? n.servedAsPrimary.sum() : n.servedAsReplica.sum();
  }

  @Override
  public void trackPools(com.zaxxer.hikari.metrics.MetricsTrackerFactory factory) {
    Objects.requireNonNull(factory, "factory");
    nodes.forEach(node -> node.trackPool(factory));
  }

  @Override
  public void refresh() {
    monitor.pollOnce();
  }

  @Override
  public void addListener(ReplicationListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void addBalancerListener(LoadBalancerListener<String> listener) {
    balancer.addListener(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void close() {
    monitor.close();
    balancer.close();
    nodes.forEach(Node::close);
  }

  // ---- DataSource boilerplate

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    throw new SQLFeatureNotSupportedException(name + " - set connectTimeout in the configuration");
  }

  @Override
  public int getLoginTimeout() {
    return (int) config.connectTimeout.toSeconds();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("slf4j");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException(name + " is not a wrapper for " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  @Override
  public String toString() {
    return "ReplicationDataSource[" + name + "]";
  }
}
