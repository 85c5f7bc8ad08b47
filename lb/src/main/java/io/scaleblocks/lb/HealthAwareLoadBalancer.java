package io.scaleblocks.lb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LoadBalancer}: see its contract. Owns membership (one {@link EndpointState} per
 * address) and the published {@link Snapshot}; delegates outlier ejection to
 * {@link OutlierTracker}, slow start to {@link SlowStartRamps}, active checks to
 * {@link ActiveHealthChecker}, retry choice to {@link RetryPicker} and listener delivery to
 * {@link EventDispatcher}.
 *
 * <p>Every routing change (membership, verdict, ejection, refresh) runs under {@link #lock},
 * rebuilds and publishes the snapshot, queues its events, unlocks, and only then delivers the
 * events: no user code runs under the lock. Picks read {@link #snapshot} without locking.
 */
final class HealthAwareLoadBalancer<T> implements LoadBalancer<T> {

  private static final Logger log = LoggerFactory.getLogger(HealthAwareLoadBalancer.class);

  private final String name;
  private final EndpointGroup<T> group;
  private final Strategy strategy;
  private final LongSupplier ticker;
  private final OutlierTracker<T> outliers;
  private final SlowStartRamps ramps;
  private final SlowStart slowStart;
  private final double panicThreshold;
  private final boolean locality;
  private final Duration refreshInterval;
  private final ActiveHealthChecker<T> healthChecker;
  private final EventDispatcher<T> events;

  private final ReentrantLock lock = new ReentrantLock();
  /** The members' states, by address. */
  private final Map<T, EndpointState<T>> states = new ConcurrentHashMap<>();
  /** States of addresses that left with calls in flight, kept until those calls finish. */
  private final Map<T, EndpointState<T>> departed = new ConcurrentHashMap<>();
  private final SnapshotBuilder<T> snapshots;
  /** Guarded: the states of the group's endpoints, in group order. */
  private List<EndpointState<T>> ordered = List.of();
  private volatile Snapshot<T> snapshot;
  private boolean started;
  private AutoCloseable subscription;
  private ScheduledExecutorService scheduler;

  HealthAwareLoadBalancer(LoadBalancerBuilder<T> builder, String name) {
    this.name = name;
    this.group = builder.group;
    this.strategy = builder.strategy;
    this.ticker = builder.ticker;
    this.outliers = builder.outlierDetection == null
        ? null : new OutlierTracker<>(name, builder.outlierDetection, builder.ticker.getAsLong());
    this.slowStart = builder.slowStart;
    this.ramps = new SlowStartRamps(builder.slowStart);
    this.panicThreshold = builder.panicThreshold;
    this.locality = builder.locality != null;
    this.refreshInterval = builder.refreshInterval;
    this.events = new EventDispatcher<>(name);
    this.snapshots = new SnapshotBuilder<>(
        builder.strategy, builder.locality, builder.slowStart, builder.panicThreshold);
    this.healthChecker = builder.activeHealthCheck == null
        ? null
        : new ActiveHealthChecker<>(name, builder.activeHealthCheck, this);
  }

  void start() {
    subscription = group.subscribe(this::membershipChanged);
    boolean timeDriven = outliers != null || slowStart != null;
    if (timeDriven && !refreshInterval.isZero()) {
      scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "scaleblocks-lb-" + name + "-refresh");
        thread.setDaemon(true);
        return thread;
      });
      long period = refreshInterval.toNanos();
      scheduler.scheduleWithFixedDelay(this::refreshQuietly, period, period, TimeUnit.NANOSECONDS);
    }
    if (healthChecker != null) {
      healthChecker.start();
    }
    log.info("{} - started over {} endpoints with {}", name, group.endpoints().size(), strategy);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Endpoint<T> pick() {
    return pick(null);
  }

  @Override
  public Endpoint<T> pick(CharSequence key) {
    Snapshot<T> current = snapshot;
    Level<T>[] levels = current.levels;
    Level<T> level;
    if (levels.length == 1) {
      level = levels[0];
    } else if (levels.length == 0) {
      throw new NoEndpointAvailableException(name + " - " + current.emptyReason);
    } else {
      level = current.level(key);
    }
    Endpoint<T> endpoint = level.endpoints[level.selector.select(key)];
    events.onPick(endpoint);
    return endpoint;
  }

  /**
   * The endpoint of the next try after {@code tried} (the last one just failed), or null; see
   * {@link RetryPicker}. With {@code leaveZone} and locality routing, from another zone.
   */
  Endpoint<T> pickForRetry(List<Endpoint<T>> tried, CharSequence key, boolean leaveZone) {
    Endpoint<T> endpoint = RetryPicker.next(snapshot, tried, key, leaveZone && locality);
    if (endpoint != null) {
      events.onPick(endpoint);
    }
    return endpoint;
  }

  @Override
  public void callStarted(Endpoint<T> endpoint) {
    EndpointState<T> state = stateOf(endpoint.address());
    if (state != null) {
      state.callStarted();
    }
  }

  @Override
  public void callFinished(Endpoint<T> endpoint, boolean success) {
    T address = endpoint.address();
    EndpointState<T> state = states.get(address);
    if (state == null) {
      EndpointState<T> gone = departed.get(address);
      if (gone != null && gone.callFinished() == 0) {
        departed.remove(address, gone);
      }
      return;
    }
    state.callFinished();
    if (outliers != null && outliers.record(state, success, states.size())) {
      lock.lock();
      try {
        if (outliers.eject(state, state.consecutiveFailures.get() + " consecutive failures",
            ticker.getAsLong(), states.size(), events::queue)) {
          rebuild();
        }
      } finally {
        lock.unlock();
      }
      events.drain();
    }
  }

  private EndpointState<T> stateOf(T address) {
    EndpointState<T> state = states.get(address);
    return state != null ? state : departed.get(address);
  }

  @Override
  public List<EndpointStatus<T>> status() {
    long now = ticker.getAsLong();
    List<EndpointStatus<T>> statuses = new ArrayList<>();
    for (Endpoint<T> endpoint : group.endpoints()) {
      EndpointState<T> state = states.get(endpoint.address());
      if (state != null) {
        statuses.add(new EndpointStatus<>(endpoint, state.healthy, state.ejected,
            state.ejections, state.inFlight, state.rampFactor(slowStart, now)));
      }
    }
    return List.copyOf(statuses);
  }

  @Override
  public boolean panicking() {
    return snapshot.panic;
  }

  @Override
  public void addListener(LoadBalancerListener<T> added) {
    events.add(added);
  }

  EventDispatcher<T> events() {
    return events;
  }

  @Override
  public void refresh() {
    lock.lock();
    try {
      long now = ticker.getAsLong();
      boolean changed = false;
      if (outliers != null) {
        for (EndpointState<T> state : states.values()) {
          if (outliers.returnIfDue(state, now)) {
            ramps.start(state, now);
            changed = true;
          }
        }
      }
      changed |= ramps.advance(states.values(), now);
      if (outliers != null) {
        changed |= outliers.sweepIfDue(states.values(), now, states.size(), events::queue);
      }
      if (changed) {
        rebuild();
      }
    } finally {
      lock.unlock();
    }
    events.drain();
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      log.warn("{} - refresh failed, keeping the previous routing state", name, e);
    }
  }

  @Override
  public void close() {
    if (healthChecker != null) {
      healthChecker.close();
    }
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    try {
      subscription.close();
    } catch (Exception e) {
      log.warn("{} - could not detach from the endpoint group", name, e);
    }
  }

  /** Called by the active health checker with a new verdict. */
  void healthChanged(EndpointState<T> state, boolean healthy) {
    lock.lock();
    try {
      if (state.removed || state.healthy == healthy) {
        return;
      }
      state.healthy = healthy;
      if (healthy) {
        ramps.start(state, ticker.getAsLong());
      }
      log.info("{} - {} is now {}", name, state.endpoint.id(), healthy ? "healthy" : "unhealthy");
      Endpoint<T> endpoint = state.endpoint;
      events.queue(listener -> listener.onHealthChange(endpoint, healthy));
      rebuild();
    } finally {
      lock.unlock();
      events.drain();
    }
  }

  /** Runs one active probe of every endpoint on the calling thread (tests, and warm-up). */
  void probeAllNow() {
    if (healthChecker != null) {
      healthChecker.checkAllNow();
    }
  }

  Iterable<EndpointState<T>> states() {
    return states.values();
  }

  private void membershipChanged(List<Endpoint<T>> members) {
    List<EndpointState<T>> joined = new ArrayList<>();
    lock.lock();
    try {
      long now = ticker.getAsLong();
      List<EndpointState<T>> nextOrdered = new ArrayList<>(members.size());
      for (Endpoint<T> member : members) {
        EndpointState<T> state = states.get(member.address());
        if (state == null) {
          state = join(member, now);
          joined.add(state);
        } else {
          state.endpoint = member;
        }
        nextOrdered.add(state);
      }
      ordered = nextOrdered;
      if (states.size() > nextOrdered.size()) {
        removeLeavers(nextOrdered);
      }
      started = true;
      rebuild();
    } finally {
      lock.unlock();
    }
    if (healthChecker != null) {
      joined.forEach(healthChecker::watch);
    }
    // The group calls this under its delivery lock; its events go out from another thread, so
    // that no listener runs while that lock is held either.
    if (events.hasQueued()) {
      ForkJoinPool.commonPool().execute(events::drain);
    }
  }

  /** A new member's state: the one it left with if its calls are still running, else fresh. */
  private EndpointState<T> join(Endpoint<T> member, long now) {
    EndpointState<T> state = departed.remove(member.address());
    if (state == null) {
      state = new EndpointState<>(member);
    } else {
      state.rejoin(member);
    }
    states.put(member.address(), state);
    if (started) {
      ramps.start(state, now);
    }
    return state;
  }

  private void removeLeavers(List<EndpointState<T>> members) {
    Map<EndpointState<T>, Boolean> present = new IdentityHashMap<>();
    members.forEach(state -> present.put(state, Boolean.TRUE));
    states.values().removeIf(state -> {
      if (present.containsKey(state)) {
        return false;
      }
      state.removed = true;
      if (outliers != null) {
        outliers.unejected(state);
      }
      if (state.inFlight > 0) {
        departed.put(state.endpoint.address(), state);
      }
      Endpoint<T> endpoint = state.endpoint;
      events.queue(listener -> listener.onEndpointRemoved(endpoint));
      return true;
    });
  }

  /** Builds and publishes the next snapshot; call under the lock. */
  private void rebuild() {
    Snapshot<T> previous = snapshot;
    Snapshot<T> next = snapshots.build(ordered, ticker.getAsLong());
    if (next.panic && (previous == null || !previous.panic)) {
      log.warn("{} - panic: fewer than {} % of the endpoints of a level available, routing over"
          + " all of that level", name, Math.round(panicThreshold * 100));
    }
    snapshot = next;
  }
}
