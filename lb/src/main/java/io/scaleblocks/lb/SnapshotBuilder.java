package io.scaleblocks.lb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a balancer's routing {@link Snapshot} from its endpoint states: applies health and
 * ejection (or panic), groups by zone and ranks zones when locality routing is on, computes each
 * zone's share, applies slow-start weights and asks the strategy for each level's selector,
 * handing it the selector it replaces. Not thread-safe: the balancer calls it under its lock.
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

  /** The snapshot for {@code memberStates} (in group order) at {@code now}. */
  Snapshot<T> build(List<EndpointState<T>> memberStates, long now) {
    int available = 0;
    boolean ramping = false;
    for (EndpointState<T> state : memberStates) {
      if (state.available()) {
        available++;
        ramping |= state.rampFactor(slowStart, now) < 1.0;
      }
    }
    int total = memberStates.size();
    boolean panic = total > 0 && available < panicThreshold * total;
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
