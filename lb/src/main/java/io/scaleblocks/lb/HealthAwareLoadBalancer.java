package io.scaleblocks.lb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  private static final String SINGLE_LEVEL = "*";
  /** Fixed-point scale of weights while an endpoint ramps up, so a ramp has 100 steps. */
  private static final int RAMP_SCALE = 100;

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
  private final Map<String, Selector> selectors = new HashMap<>();
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
            state.ejections, state.inFlight, rampFactor(state, now)));
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
        java.util.Set<EndpointState<T>> present =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
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

  private double rampFactor(EndpointState<T> state, long now) {
    long rampStart = state.rampStart;
    if (slowStart == null || rampStart == EndpointState.NOT_RAMPING) {
      return 1.0;
    }
    return slowStart.factor(now - rampStart);
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
    long now = ticker.getAsLong();
    List<EndpointState<T>> memberStates = ordered;
    int available = 0;
    boolean ramping = false;
    for (EndpointState<T> state : memberStates) {
      if (state.available()) {
        available++;
        ramping |= rampFactor(state, now) < 1.0;
      }
    }
    int total = memberStates.size();
    boolean panic = total > 0 && available < panicThreshold * total;
    if (panic && !snapshotPanics()) {
      log.warn("{} - panic: only {} of {} endpoints available, routing over all", name,
          available, total);
    }
    Map<String, List<EndpointState<T>>> byZone = new LinkedHashMap<>();
    Map<String, int[]> counts = new HashMap<>();
    if (locality == null) {
      List<EndpointState<T>> included = new ArrayList<>(total);
      for (EndpointState<T> state : memberStates) {
        if (panic || state.available()) {
          included.add(state);
        }
      }
      if (!included.isEmpty()) {
        byZone.put(SINGLE_LEVEL, included);
        counts.put(SINGLE_LEVEL, new int[] {included.size(), total});
      }
    } else {
      for (EndpointState<T> state : memberStates) {
        String zone = state.endpoint.zone();
        int[] count = counts.computeIfAbsent(zone, z -> new int[2]);
        count[1]++;
        if (panic || state.available()) {
          count[0]++;
          byZone.computeIfAbsent(zone, z -> new ArrayList<>()).add(state);
        }
      }
    }
    List<String> zones = locality == null
        ? new ArrayList<>(byZone.keySet())
        : locality.rank(byZone.keySet());
    int[] availablePerZone = new int[zones.size()];
    int[] totalPerZone = new int[zones.size()];
    for (int i = 0; i < zones.size(); i++) {
      int[] count = counts.get(zones.get(i));
      availablePerZone[i] = count[0];
      totalPerZone[i] = count[1];
    }
    double[] shares = locality == null || zones.size() <= 1
        ? new double[] {1.0}
        : locality.shares(availablePerZone, totalPerZone);
    List<Level<T>> levels = new ArrayList<>();
    List<Level<T>> ranked = new ArrayList<>();
    List<Double> cumulative = new ArrayList<>();
    double sum = 0;
    Map<String, Selector> nextSelectors = new HashMap<>();
    for (int i = 0; i < zones.size(); i++) {
      Level<T> level = level(zones.get(i), byZone.get(zones.get(i)), ramping, now);
      level.selector = strategy.selector(level, selectors.get(level.zone));
      nextSelectors.put(level.zone, level.selector);
      ranked.add(level);
      if (shares[i] > 0) {
        levels.add(level);
        sum += shares[i];
        cumulative.add(sum);
      }
    }
    selectors.keySet().retainAll(nextSelectors.keySet());
    selectors.putAll(nextSelectors);
    double[] bounds = cumulative.stream().mapToDouble(Double::doubleValue).toArray();
    if (bounds.length > 0) {
      bounds[bounds.length - 1] = 1.0;
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    Level<T>[] array = levels.toArray(new Level[0]);
    @SuppressWarnings({"unchecked", "rawtypes"})
    Level<T>[] rankedArray = ranked.toArray(new Level[0]);
    String emptyReason = total == 0
        ? "the endpoint group is empty"
        : "none of the " + total + " endpoints is available and panic routing is off";
    snapshot = new Snapshot<>(array, rankedArray, bounds, panic, emptyReason);
  }

  private boolean snapshotPanics() {
    Snapshot<T> current = snapshot;
    return current != null && current.panic;
  }

  private Level<T> level(String zone, List<EndpointState<T>> members, boolean ramping, long now) {
    int n = members.size();
    @SuppressWarnings({"unchecked", "rawtypes"})
    Endpoint<T>[] endpoints = new Endpoint[n];
    @SuppressWarnings({"unchecked", "rawtypes"})
    EndpointState<T>[] levelStates = new EndpointState[n];
    int[] weights = new int[n];
    for (int i = 0; i < n; i++) {
      EndpointState<T> state = members.get(i);
      levelStates[i] = state;
      endpoints[i] = state.endpoint;
      int weight = state.endpoint.weight();
      weights[i] = ramping
          ? (int) Math.max(1, Math.round(weight * RAMP_SCALE * rampFactor(state, now)))
          : weight;
    }
    return new Level<>(zone, endpoints, levelStates, weights);
  }

  private static final class CompositeListener<T> implements LoadBalancerListener<T> {
    private final LoadBalancerListener<T> first;
    private final LoadBalancerListener<T> second;

    CompositeListener(LoadBalancerListener<T> first, LoadBalancerListener<T> second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void onPick(Endpoint<T> endpoint) {
      first.onPick(endpoint);
      second.onPick(endpoint);
    }

    @Override
    public void onHealthChange(Endpoint<T> endpoint, boolean healthy) {
      first.onHealthChange(endpoint, healthy);
      second.onHealthChange(endpoint, healthy);
    }

    @Override
    public void onEjection(Endpoint<T> endpoint, Duration duration) {
      first.onEjection(endpoint, duration);
      second.onEjection(endpoint, duration);
    }

    @Override
    public void onRetry(Endpoint<T> failed) {
      first.onRetry(failed);
      second.onRetry(failed);
    }

    @Override
    public void onRetryBudgetExhausted(Endpoint<T> failed) {
      first.onRetryBudgetExhausted(failed);
      second.onRetryBudgetExhausted(failed);
    }
  }
}
