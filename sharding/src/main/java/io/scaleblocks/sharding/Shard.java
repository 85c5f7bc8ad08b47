package io.scaleblocks.sharding;

import java.util.Objects;

/**
 * A shard: its id (what placements hash, so it must be stable), the resource that serves it (a
 * {@code DataSource}, a connection pool, a client) and its weight.
 *
 * @param id a non-blank id, unique within a topology
 * @param resource what serves the shard; never null
 * @param weight a positive share of keys relative to the other shards
 * @param <R> the resource type
 */
public record Shard<R>(String id, R resource, int weight) {

  /** The weight of a shard built without one. */
  public static final int DEFAULT_WEIGHT = 1;

  public Shard {
    Objects.requireNonNull(id, "shard id must not be null");
    if (id.isBlank()) {
      throw new IllegalArgumentException("shard id must not be blank but was '" + id + "'");
    }
    Objects.requireNonNull(resource, () -> "resource of shard '" + id + "' must not be null");
    if (weight <= 0) {
      throw new IllegalArgumentException("weight of shard '" + id + "' must be > 0 but was " + weight);
    }
  }

  /** A shard of weight {@value #DEFAULT_WEIGHT}. */
  public static <R> Shard<R> of(String id, R resource) {
    return new Shard<>(id, resource, DEFAULT_WEIGHT);
  }

  @Override
  public String toString() {
    return id;
  }
}
