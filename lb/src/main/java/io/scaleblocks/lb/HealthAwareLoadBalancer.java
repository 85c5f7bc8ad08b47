package io.scaleblocks.lb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LoadBalancer}: see its contract. Snapshot builds run under {@link #lock}, triggered
 * by group changes, health verdicts, ejections and refreshes; picks read {@link #snapshot}.
 */
final class HealthAwareLoadBalancer<T> implements LoadBalancer<T> {

  private static final Logger log = LoggerFactory.getLogger(HealthAwareLoadBalancer.class);

  private final String name;
  private final EndpointGroup<T> group;
  private final Strategy strategy;
  private final LongSupplier ticker;
  private final OutlierDetection outlierDetection;
  private final SlowStart slowStart;
  private final double panicThreshold;
  private final Locality locality;
  private final Duration refreshInterval;
  private final ActiveHealthChecker<T> healthChecker;

  private final ReentrantLock lock = new ReentrantLock();
  private final Map<T, EndpointState<T>> states = new ConcurrentHashMap<>();
  private final SnapshotBuilder<T> snapshots;
  /** Guarded: the states of the group's endpoints, in group order. */
  private List<EndpointState<T>> ordered = List.of();
  private volatile Snapshot<T> snapshot;
  private volatile LoadBalancerListener<T> listener = new LoadBalancerListener<>() {};
  private boolean started;
  private long lastSweep;
  private AutoCloseable subscription;
  private ScheduledExecutorService scheduler;

  HealthAwareLoadBalancer(LoadBalancerBuilder<T> builder, String name) {
    this.name = name;
    this.group = builder.group;
    this.strategy = builder.strategy;
    this.ticker = builder.ticker;
    this.outlierDetection = builder.outlierDetection;
    this.slowStart = builder.slowStart;
    this.panicThreshold = builder.panicThreshold;
    this.locality = builder.locality;
    this.refreshInterval = builder.refreshInterval;
    this.snapshots = new SnapshotBuilder<>(
        builder.strategy, builder.locality, builder.slowStart, builder.panicThreshold);
    this.healthChecker = builder.activeHealthCheck == null
        ? null
        : new ActiveHealthChecker<>(name, builder.activeHealthCheck, this);
  }

  void start() {
    lastSweep = ticker.getAsLong();
    subscription = group.subscribe(this::membershipChanged);
    boolean timeDriven = outlierDetection != null || slowStart != null;
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
    listener.onPick(endpoint);
    return endpoint;
  }

  /**
   * Another endpoint than {@code avoid}, for a retry, or null when no other one is a candidate.
   * With {@code leaveZone} and locality routing, from the nearest other zone that has candidates
   * (Envoy's "previous priorities" retry: a zone that failed twice is skipped), else as a pick.
   */
  Endpoint<T> pickOther(Endpoint<T> avoid, CharSequence key, boolean leaveZone) {
    if (leaveZone && locality != null) {
      for (Level<T> level : snapshot.ranked) {
        if (!level.zone.equals(avoid.zone())) {
          Endpoint<T> endpoint = level.endpoints[level.selector.select(key)];
          listener.onPick(endpoint);
          return endpoint;
        }
      }
    }
    for (int attempt = 0; attempt < 3; attempt++) {
      Endpoint<T> endpoint = pick(key);
      if (!endpoint.address().equals(avoid.address())) {
        return endpoint;
      }
    }
    for (Level<T> level : snapshot.levels) {
      int n = level.endpoints.length;
      int start = RandomSource.reduce(RandomSource.THREAD_LOCAL.nextLong(), n);
      for (int i = 0; i < n; i++) {
        Endpoint<T> endpoint = level.endpoints[(start + i) % n];
        if (!endpoint.address().equals(avoid.address())) {
          listener.onPick(endpoint);
          return endpoint;
        }
      }
    }
    return null;
  }

  @Override
  public void callStarted(Endpoint<T> endpoint) {
    EndpointState<T> state = states.get(endpoint.address());
    if (state != null) {
      state.addInFlight(1);
    }
  }

  @Override
  public void callFinished(Endpoint<T> endpoint, boolean success) {
    EndpointState<T> state = states.get(endpoint.address());
    if (state == null) {
      return;
    }
    state.addInFlight(-1);
    if (outlierDetection == null) {
      return;
    }
    state.windowCalls.incrementAndGet();
    if (success) {
      if (state.consecutiveFailures.get() != 0) {
        state.consecutiveFailures.set(0);
      }
      return;
    }
    state.windowFailures.incrementAndGet();
    int failures = state.consecutiveFailures.incrementAndGet();
    if (failures >= outlierDetection.consecutiveFailures() && !state.ejected) {
      lock.lock();
      try {
        if (eject(state, failures + " consecutive failures", ticker.getAsLong())) {
          rebuild();
        }
      } finally {
        lock.unlock();
      }
    }
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
    lock.lock();
    try {
      LoadBalancerListener<T> existing = listener;
      listener = new CompositeListener<>(existing, added);
    } finally {
      lock.unlock();
    }
  }

  LoadBalancerListener<T> listener() {
    return listener;
  }

  @Override
  public void refresh() {
    lock.lock();
    try {
      long now = ticker.getAsLong();
      boolean changed = false;
      boolean ramping = false;
      for (EndpointState<T> state : states.values()) {
        if (state.ejected && now - state.ejectedUntil >= 0) {
          state.ejected = false;
          state.consecutiveFailures.set(0);
          startRamp(state, now);
          changed = true;
          log.info("{} - {} returns after ejection", name, state.endpoint.id());
        }
        if (state.rampStart != EndpointState.NOT_RAMPING) {
          if (now - state.rampStart >= slowStart.window().toNanos()) {
            state.rampStart = EndpointState.NOT_RAMPING;
            changed = true;
          } else {
            ramping = true;
          }
        }
      }
      if (outlierDetection != null && now - lastSweep >= outlierDetection.interval().toNanos()) {
        lastSweep = now;
        changed |= sweepFailureRates(now);
      }
      if (changed || ramping) {
        rebuild();
      }
    } finally {
      lock.unlock();
    }
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
        startRamp(state, ticker.getAsLong());
      }
      log.info("{} - {} is now {}", name, state.endpoint.id(), healthy ? "healthy" : "unhealthy");
      listener.onHealthChange(state.endpoint, healthy);
      rebuild();
    } finally {
      lock.unlock();
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
    lock.lock();
    try {
      long now = ticker.getAsLong();
      List<EndpointState<T>> nextOrdered = new ArrayList<>(members.size());
      for (Endpoint<T> member : members) {
        EndpointState<T> state = states.get(member.address());
        if (state == null) {
          state = new EndpointState<>(member);
          states.put(member.address(), state);
          if (started) {
            startRamp(state, now);
          }
          if (healthChecker != null && started) {
            healthChecker.watch(state);
          }
        } else {
          state.endpoint = member;
        }
        nextOrdered.add(state);
      }
      ordered = nextOrdered;
      if (states.size() > nextOrdered.size()) {
        Set<EndpointState<T>> present = Collections.newSetFromMap(new IdentityHashMap<>());
        present.addAll(nextOrdered);
        states.values().removeIf(state -> {
          boolean gone = !present.contains(state);
          state.removed |= gone;
          return gone;
        });
      }
      started = true;
      rebuild();
    } finally {
      lock.unlock();
    }
  }

  private boolean startRamp(EndpointState<T> state, long now) {
    if (slowStart == null) {
      return false;
    }
    state.rampStart = now;
    return true;
  }

  /** Ejects {@code state} if the cap allows; call under the lock. */
  private boolean eject(EndpointState<T> state, String reason, long now) {
    if (state.ejected || state.removed) {
      return false;
    }
    int members = states.size();
    int ejected = 0;
    for (EndpointState<T> other : states.values()) {
      ejected += other.ejected ? 1 : 0;
    }
    int cap = Math.max(1, members * outlierDetection.maxEjectionPercent() / 100);
    if (ejected >= cap) {
      log.debug("{} - not ejecting {} ({}): {} of {} already ejected", name,
          state.endpoint.id(), reason, ejected, members);
      return false;
    }
    int ejections = state.ejections + 1;
    long nanos = outlierDetection.ejectionNanos(ejections);
    state.ejections = ejections;
    state.ejected = true;
    state.ejectedUntil = now + nanos;
    Duration duration = Duration.ofNanos(nanos);
    log.info("{} - ejecting {} for {} after {}", name, state.endpoint.id(), duration, reason);
    listener.onEjection(state.endpoint, duration);
    return true;
  }

  private boolean sweepFailureRates(long now) {
    boolean changed = false;
    for (EndpointState<T> state : states.values()) {
      long calls = state.windowCalls.getAndSet(0);
      long failures = state.windowFailures.getAndSet(0);
      if (state.ejected) {
        continue;
      }
      if (calls >= outlierDetection.minimumRequests()
          && failures >= outlierDetection.failureRateThreshold() * calls) {
        changed |= eject(state, failures + " of " + calls + " calls failed", now);
      } else if (state.ejections > 0
          && now - state.ejectedUntil >= outlierDetection.interval().toNanos()) {
        state.ejections--;
      }
    }
    return changed;
  }

  /** Builds and publishes the next snapshot; call under the lock. */
  private void rebuild() {
    Snapshot<T> previous = snapshot;
    Snapshot<T> next = snapshots.build(ordered, ticker.getAsLong());
    if (next.panic && (previous == null || !previous.panic)) {
      log.warn("{} - panic: fewer than {} % of {} endpoints available, routing over all", name,
          Math.round(panicThreshold * 100), ordered.size());
    }
    snapshot = next;
  }
}
