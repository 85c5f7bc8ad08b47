package io.scaleblocks.lb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a balancer's routing {@link Snapshot} from its endpoint states, in four steps: group the
 * states by zone (one level when locality is off) and count the available ones; give each zone
 * its share of traffic from its real availability ({@link Locality#shares}); decide panic per
 * level, as Envoy decides it per priority level: while the normalised total health (the sum of
 * every level's {@code min(1, overprovisioningFactor * available share)}) is below 1, a level
 * whose available share is below the threshold routes over all its endpoints; otherwise, and for
 * the other levels, each routes over its available ones and what it cannot take goes to the
 * next level; then build each
 * level's weights and ask the strategy for its selector, handing it the one it replaces.
 *
 * <p>A zone with no available endpoint gets no traffic while another zone has one. Only when no
 * endpoint is available anywhere (and panic routing is on) does traffic go over every endpoint,
 * each zone in proportion to its size.
 *
 * <p>Not thread-safe: the balancer calls it under its lock.
 */
final class SnapshotBuilder<T> {

  private static final String SINGLE_LEVEL = "*";
  /** Fixed-point scale of weights while an endpoint ramps up, so a ramp has 100 steps. */
  private static final int RAMP_SCALE = 100;

  private final Strategy strategy;
  private final Locality locality;
  private final SlowStart slowStart;
  private final double panicThreshold;
  private final Map<String, Selector> selectors = new HashMap<>();

  SnapshotBuilder(Strategy strategy, Locality locality, SlowStart slowStart,
      double panicThreshold) {
    this.strategy = strategy;
    this.locality = locality;
    this.slowStart = slowStart;
    this.panicThreshold = panicThreshold;
  }

  /** The members of one zone, and how many of them are available. */
  private static final class Zone<T> {
    final String name;
    final List<EndpointState<T>> members = new ArrayList<>();
    int available;

    Zone(String name) {
      this.name = name;
    }
  }

  /** The snapshot for {@code memberStates} (in group order) at {@code now}. */
  Snapshot<T> build(List<EndpointState<T>> memberStates, long now) {
    List<Zone<T>> zones = zones(memberStates);
    int available = 0;
    for (Zone<T> zone : zones) {
      available += zone.available;
    }
    boolean everythingDown = available == 0 && panicThreshold > 0;
    boolean healthShort = normalisedHealth(zones) < 1.0;
    double[] shares = shares(zones, everythingDown);
    boolean ramping = ramping(memberStates, now);
    List<Level<T>> levels = new ArrayList<>();
    List<Level<T>> ranked = new ArrayList<>();
    double[] cumulative = new double[zones.size()];
    double sum = 0;
    boolean panic = false;
    Map<String, Selector> nextSelectors = new HashMap<>();
    for (int i = 0; i < zones.size(); i++) {
      Zone<T> zone = zones.get(i);
      boolean levelPanic = everythingDown || healthShort
          && zone.available > 0 && zone.available < panicThreshold * zone.members.size();
      List<EndpointState<T>> included = levelPanic ? zone.members : availableOf(zone);
      if (included.isEmpty()) {
        continue;
      }
      Level<T> level = level(zone.name, included, ramping, now);
      level.selector = strategy.selector(level, selectors.get(zone.name));
      nextSelectors.put(zone.name, level.selector);
      ranked.add(level);
      if (shares[i] > 0) {
        panic |= levelPanic;
        sum += shares[i];
        cumulative[levels.size()] = sum;
        levels.add(level);
      }
    }
    selectors.keySet().retainAll(nextSelectors.keySet());
    selectors.putAll(nextSelectors);
    return snapshot(levels, ranked, cumulative, panic, memberStates.size());
  }

  /** The members by zone, nearest first (one level in group order without locality). */
  private List<Zone<T>> zones(List<EndpointState<T>> memberStates) {
    Map<String, Zone<T>> byName = new LinkedHashMap<>();
    for (EndpointState<T> state : memberStates) {
      String name = locality == null ? SINGLE_LEVEL : state.endpoint.zone();
      Zone<T> zone = byName.computeIfAbsent(name, Zone::new);
      zone.members.add(state);
      zone.available += state.available() ? 1 : 0;
    }
    if (locality == null) {
      return new ArrayList<>(byName.values());
    }
    List<Zone<T>> ranked = new ArrayList<>(byName.size());
    for (String name : locality.rank(byName.keySet())) {
      ranked.add(byName.get(name));
    }
    return ranked;
  }

  /**
   * Envoy's normalised total health over the levels, with the locality's overprovisioning
   * factor (Envoy's default 1.4 without locality): at 1, no level panics, whatever its own share
   * of available endpoints, since the others make up for it.
   */
  private double normalisedHealth(List<Zone<T>> zones) {
    int[] available = new int[zones.size()];
    int[] total = new int[zones.size()];
    for (int i = 0; i < zones.size(); i++) {
      available[i] = zones.get(i).available;
      total[i] = zones.get(i).members.size();
    }
    double factor = locality == null
        ? Locality.DEFAULT_OVERPROVISIONING_FACTOR : locality.overprovisioningFactor();
    return Locality.normalisedHealth(available, total, factor);
  }

  /** Each zone's share: from its availability, or from its size when nothing is available. */
  private double[] shares(List<Zone<T>> zones, boolean everythingDown) {
    int n = zones.size();
    if (locality == null || n <= 1) {
      double[] single = new double[n];
      if (n == 1) {
        single[0] = 1.0;
      }
      return single;
    }
    int[] available = new int[n];
    int[] total = new int[n];
    for (int i = 0; i < n; i++) {
      total[i] = zones.get(i).members.size();
      available[i] = everythingDown ? total[i] : zones.get(i).available;
    }
    if (!everythingDown) {
      return locality.shares(available, total);
    }
    double all = 0;
    for (int count : total) {
      all += count;
    }
    double[] shares = new double[n];
    for (int i = 0; i < n; i++) {
      shares[i] = total[i] / all;
    }
    return shares;
  }

  private boolean ramping(List<EndpointState<T>> memberStates, long now) {
    if (slowStart == null) {
      return false;
    }
    for (EndpointState<T> state : memberStates) {
      if (state.available() && state.rampFactor(slowStart, now) < 1.0) {
        return true;
      }
    }
    return false;
  }

  private static <T> List<EndpointState<T>> availableOf(Zone<T> zone) {
    if (zone.available == zone.members.size()) {
      return zone.members;
    }
    List<EndpointState<T>> available = new ArrayList<>(zone.available);
    for (EndpointState<T> state : zone.members) {
      if (state.available()) {
        available.add(state);
      }
    }
    return available;
  }

  private Snapshot<T> snapshot(List<Level<T>> levels, List<Level<T>> ranked,
      double[] cumulative, boolean panic, int total) {
    double[] bounds = new double[levels.size()];
    System.arraycopy(cumulative, 0, bounds, 0, bounds.length);
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
    return new Snapshot<>(array, rankedArray, bounds, panic, emptyReason);
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
          ? (int) Math.max(1, Math.round(weight * RAMP_SCALE * state.rampFactor(slowStart, now)))
          : weight;
    }
    return new Level<>(zone, endpoints, levelStates, weights);
  }
}
