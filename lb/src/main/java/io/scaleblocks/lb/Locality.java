package io.scaleblocks.lb;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Locality (geo) routing: the client's region and how far each data center (an endpoint's
 * {@link Endpoint#zone()}) is from it. Zones are ranked by distance; traffic stays in the nearest
 * while enough of it is healthy and spills over in proportion as it degrades, after Envoy's
 * priority levels: a zone with {@code h} of its endpoints available claims
 * {@code min(100 %, overprovisioningFactor * h)} of the traffic not claimed by nearer zones, and
 * if all zones together claim less than 100 % their claims are scaled up. With the default factor
 * of 1.4 the nearest zone keeps everything until more than 28.6 % of it is down; when it is
 * entirely down, everything goes to the next nearest. Zones absent from the table rank after
 * every listed zone, in name order.
 *
 * <p>Immutable and thread-safe.
 */
public final class Locality {

  public static final double DEFAULT_OVERPROVISIONING_FACTOR = 1.4;

  private final String clientRegion;
  private final Map<String, Integer> distances;
  private final double overprovisioningFactor;

  private Locality(String clientRegion, Map<String, Integer> distances, double factor) {
    this.clientRegion = clientRegion;
    this.distances = distances;
    this.overprovisioningFactor = factor;
  }

  /**
   * The locality of a client in {@code clientRegion}, given a table of distances (or latencies)
   * from each region to each zone.
   *
   * @throws IllegalArgumentException if the region is not in the table, or a distance is negative
   */
  public static Locality of(String clientRegion, Map<String, Map<String, Integer>> table) {
    return of(clientRegion, table, DEFAULT_OVERPROVISIONING_FACTOR);
  }

  /** As {@link #of(String, Map)} with another overprovisioning factor, at least 1. */
  public static Locality of(
      String clientRegion, Map<String, Map<String, Integer>> table, double factor) {
    Objects.requireNonNull(clientRegion, "clientRegion");
    Map<String, Integer> row = table.get(clientRegion);
    if (row == null) {
      throw new IllegalArgumentException(
          "unknown region '" + clientRegion + "'; the table knows " + table.keySet());
    }
    row.forEach((zone, distance) -> {
      if (distance == null || distance < 0) {
        throw new IllegalArgumentException(
            "distance from " + clientRegion + " to " + zone + " must be >= 0 but was " + distance);
      }
    });
    if (!(factor >= 1) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("overprovisioningFactor must be >= 1 but was " + factor);
    }
    return new Locality(clientRegion, Map.copyOf(row), factor);
  }

  public String clientRegion() {
    return clientRegion;
  }

  public double overprovisioningFactor() {
    return overprovisioningFactor;
  }

  /** The zones of {@code endpoints}, nearest first. */
  List<String> rank(Iterable<String> zones) {
    List<String> ranked = new ArrayList<>();
    Map<String, Boolean> seen = new LinkedHashMap<>();
    for (String zone : zones) {
      if (seen.put(zone, Boolean.TRUE) == null) {
        ranked.add(zone);
      }
    }
    ranked.sort(Comparator.<String>comparingLong(
            zone -> distances.containsKey(zone) ? distances.get(zone) : Long.MAX_VALUE)
        .thenComparing(Comparator.naturalOrder()));
    return ranked;
  }

  /**
   * Envoy's normalised total health of the ranked zones: the sum of each zone's
   * {@code min(1, factor * available / total)}, at most 1. Below 1, a zone under the panic
   * threshold panics; at 1 none does.
   */
  static double normalisedHealth(int[] available, int[] total, double factor) {
    double claimed = 0;
    for (int i = 0; i < available.length; i++) {
      claimed += total[i] == 0 ? 0 : Math.min(1.0, factor * available[i] / total[i]);
    }
    return Math.min(1.0, claimed);
  }

  /**
   * The share of traffic of each ranked zone, given the available and total endpoints per zone.
   */
  double[] shares(int[] available, int[] total) {
    int levels = available.length;
    double[] health = new double[levels];
    double claimed = 0;
    for (int i = 0; i < levels; i++) {
      health[i] = total[i] == 0 ? 0
          : Math.min(1.0, overprovisioningFactor * available[i] / total[i]);
      claimed += health[i];
    }
    double[] shares = new double[levels];
    if (claimed == 0) {
      return shares;
    }
    double scale = claimed < 1 ? 1 / claimed : 1;
    double left = 1;
    for (int i = 0; i < levels; i++) {
      shares[i] = Math.min(health[i] * scale, left);
      left -= shares[i];
    }
    return shares;
  }

  @Override
  public String toString() {
    return "Locality{clientRegion=" + clientRegion + ", distances=" + distances
        + ", overprovisioningFactor=" + overprovisioningFactor + "}";
  }
}
