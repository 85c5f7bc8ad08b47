package io.scaleblocks.lb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LoadBalancer}: see its contract. Owns the lock and the published {@link Snapshot};
 * delegates the endpoint states to {@link Membership}, outlier ejection to
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
  /** Delivers the events the group hands over under its lock; owned unless the user's. */
  private final Executor eventExecutor;
  private final ExecutorService ownedEventExecutor;
  private volatile boolean closed;

  private final ReentrantLock lock = new ReentrantLock();
  private final Membership<T> membership = new Membership<>();
  private final SnapshotBuilder<T> snapshots;
  private volatile Snapshot<T> snapshot;
  /** Whether any listener was added: a pick without listeners reads one flag beside the snapshot. */
  private volatile boolean listened;
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
    if (builder.eventExecutor != null) {
      this.eventExecutor = builder.eventExecutor;
      this.ownedEventExecutor = null;
    } else {
      // One daemon thread, started on the first such event and gone after a minute idle.
      ThreadPoolExecutor own = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES,
          new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "scaleblocks-lb-" + name + "-events");
            thread.setDaemon(true);
            return thread;
          });
      own.allowCoreThreadTimeOut(true);
      this.eventExecutor = own;
      this.ownedEventExecutor = own;
    }
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
    if (listened) {
      events.onPick(endpoint);
    }
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

  /**
   * Counts the call on its address's state. The fast path (a member) is one lookup and one
   * atomic add, then a read of {@code removed}: a removal sets that flag before it reads the
   * count (both volatile), so either the removal sees this call and keeps the state for the
   * address, or this call sees the removal and is counted again under the lock, on the state a
   * re-add of the address takes over.
   */
  @Override
  public void callStarted(Endpoint<T> endpoint) {
    EndpointState<T> state = membership.any(endpoint.address());
    if (state != null) {
      state.callStarted();
      if (!state.removed) {
        return;
      }
    }
    lock.lock();
    try {
      membership.recountStarted(endpoint, state);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void callFinished(Endpoint<T> endpoint, boolean success) {
    T address = endpoint.address();
    EndpointState<T> state = membership.any(address);
    if (state == null || state.removed) {
      lock.lock();
      try {
        membership.departedCallFinished(address);
      } finally {
        lock.unlock();
      }
      return;
    }
    if (state.callFinished() == 0 && state.removed) {
      // Removed while this call ran: the state kept for its calls goes once they are done.
      lock.lock();
      try {
        membership.forgetIfIdle(state);
      } finally {
        lock.unlock();
      }
      return;
    }
    if (outliers != null && outliers.record(state, success, membership.size())) {
      lock.lock();
      try {
        if (outliers.eject(state, state.consecutiveFailures.get() + " consecutive failures",
            ticker.getAsLong(), membership.size(), events::queue)) {
          rebuild();
        }
      } finally {
        lock.unlock();
      }
      events.drain();
    }
  }

  @Override
  public List<EndpointStatus<T>> status() {
    long now = ticker.getAsLong();
    List<EndpointStatus<T>> statuses = new ArrayList<>();
    for (Endpoint<T> endpoint : group.endpoints()) {
      EndpointState<T> state = membership.member(endpoint.address());
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
    listened = true;
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
        for (EndpointState<T> state : membership.members()) {
          if (outliers.returnDue(state, now)) {
            ramps.start(state, now);
            outliers.returnToRotation(state);
            changed = true;
          }
        }
      }
      changed |= ramps.advance(membership.members(), now);
      if (outliers != null) {
        changed |= outliers.sweepIfDue(
            membership.members(), now, membership.size(), events::queue);
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
    closed = true;
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
    if (ownedEventExecutor != null) {
      // Events already handed over are still delivered; then the event thread ends.
      ownedEventExecutor.shutdown();
    }
  }

  /** Called by the active health checker with a new verdict. */
  void healthChanged(EndpointState<T> state, boolean healthy) {
    lock.lock();
    try {
      if (state.removed || state.healthy == healthy) {
        return;
      }
      if (healthy) {
        ramps.start(state, ticker.getAsLong());
      }
      state.healthy = healthy;
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
    return membership.members();
  }

  private void membershipChanged(List<Endpoint<T>> members) {
    List<EndpointState<T>> joined;
    lock.lock();
    try {
      long now = ticker.getAsLong();
      boolean ramp = started;
      joined = membership.apply(members, state -> {
        if (ramp) {
          ramps.start(state, now);
        }
      }, this::left);
      started = true;
      rebuild();
    } finally {
      lock.unlock();
    }
    if (healthChecker != null) {
      joined.forEach(healthChecker::watch);
    }
    // The group calls this under its delivery lock; its events go out from the balancer's event
    // thread, so that no listener runs while that lock is held either, and a listener that
    // blocks holds up this balancer's events only.
    if (events.hasQueued()) {
      try {
        eventExecutor.execute(events::drain);
      } catch (RejectedExecutionException e) {
        if (closed) {
          log.debug("{} - closed: endpoint events not delivered", name);
        } else {
          log.warn("{} - the event executor rejected a delivery, its endpoint events go out with the"
              + " next one: {}", name, e.toString());
        }
      }
    }
  }

  /** {@code state} left the group; guarded. */
  private void left(EndpointState<T> state) {
    if (outliers != null) {
      outliers.unejected(state);
    }
    Endpoint<T> endpoint = state.endpoint;
    events.queue(listener -> listener.onEndpointRemoved(endpoint));
  }

  /** Builds and publishes the next snapshot; call under the lock. */
  private void rebuild() {
    Snapshot<T> previous = snapshot;
    Snapshot<T> next = snapshots.build(membership.ordered(), ticker.getAsLong());
    if (next.panic && (previous == null || !previous.panic)) {
      log.warn("{} - panic: fewer than {} % of the endpoints of a level available, routing over"
          + " all of that level", name, Math.round(panicThreshold * 100));
    }
    snapshot = next;
  }
}
