package io.scaleblocks.lb;

import java.util.Map;
import java.util.Objects;

/**
 * A server a balancer can send a request to: an address of any type, a weight, a zone (data
 * center or region) and free-form metadata.
 *
 * <p>An endpoint is an immutable value. Its identity inside an {@link EndpointGroup} is its
 * {@link #address()}: two endpoints with the same address are the same server, and
 * {@link #id()} ({@code address.toString()}) is what consistent hashing and sticky cookies see,
 * so it must be stable and unique (for example {@code "10.0.0.7:8080"}).
 *
 * @param <T> the address type, for example {@link java.net.URI} or
 *     {@link java.net.InetSocketAddress}
 * @param address where the server is; never null
 * @param weight its share of traffic relative to the others, from 1 to {@link #MAX_WEIGHT}
 * @param zone the data center or region it runs in; {@link #DEFAULT_ZONE} when not set
 * @param metadata free-form labels, copied and unmodifiable
 */
public record Endpoint<T>(T address, int weight, String zone, Map<String, String> metadata) {

  /** The weight of an endpoint that was given none. */
  public static final int DEFAULT_WEIGHT = 1;

  /**
   * The largest weight: large enough for any ratio a deployment needs, small enough that the
   * weights of a million endpoints, scaled for slow start, still add up inside a {@code long}.
   */
  public static final int MAX_WEIGHT = 1_000_000;

  /** The zone of an endpoint that was given none. */
  public static final String DEFAULT_ZONE = "default";

  /** Validates and copies. */
  public Endpoint {
    Objects.requireNonNull(address, "address");
    checkWeight(weight);
    Objects.requireNonNull(zone, "zone");
    if (zone.isBlank()) {
      throw new IllegalArgumentException("zone must not be blank but was '" + zone + "'");
    }
    metadata = Map.copyOf(metadata);
  }

  /** An endpoint of weight {@value #DEFAULT_WEIGHT} in the {@value #DEFAULT_ZONE} zone. */
  public static <T> Endpoint<T> of(T address) {
    return new Endpoint<>(address, DEFAULT_WEIGHT, DEFAULT_ZONE, Map.of());
  }

  /** An endpoint of {@code weight} in the {@value #DEFAULT_ZONE} zone. */
  public static <T> Endpoint<T> of(T address, int weight) {
    return new Endpoint<>(address, weight, DEFAULT_ZONE, Map.of());
  }

  /** This endpoint with another weight. */
  public Endpoint<T> withWeight(int newWeight) {
    return new Endpoint<>(address, newWeight, zone, metadata);
  }

  /** This endpoint in another zone. */
  public Endpoint<T> withZone(String newZone) {
    return new Endpoint<>(address, weight, newZone, metadata);
  }

  /** This endpoint with other metadata. */
  public Endpoint<T> withMetadata(Map<String, String> newMetadata) {
    return new Endpoint<>(address, weight, zone, newMetadata);
  }

  /** The stable identity of this endpoint: {@code address().toString()}. */
  public String id() {
    return address.toString();
  }

  static int checkWeight(int weight) {
    if (weight < 1 || weight > MAX_WEIGHT) {
      throw new IllegalArgumentException(
          "weight must be between 1 and " + MAX_WEIGHT + " but was " + weight);
    }
    return weight;
  }

  @Override
  public String toString() {
    return id() + "{weight=" + weight + ", zone=" + zone + "}";
  }
}
