package io.scaleblocks.sharding;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * An immutable snapshot of a sharded deployment: the shards, the placement of routing hashes over
 * their ids, and the pins that force a routing hash onto a shard.
 *
 * <p>Every change returns a new topology with a higher {@link #version()}; the placement is
 * changed with {@link Placement#withNode}/{@link Placement#withoutNode} rather than rebuilt, so
 * minimal-disruption placements keep their guarantee across changes. Thread-safe.
 *
 * @param <R> the type of the shards' resources
 */
public final class ShardTopology<R> {

  private final Map<String, Shard<R>> shards;
  private final List<Shard<R>> shardList;
  private final Placement<String> placement;
  private final PinTable pins;
  private final long version;

  private ShardTopology(Map<String, Shard<R>> shards, Placement<String> placement, PinTable pins,
      long version) {
    this.shards = Collections.unmodifiableMap(shards);
    this.shardList = List.copyOf(shards.values());
    this.placement = placement;
    this.pins = pins;
    this.version = version;
  }

  /**
   * A topology of {@code shards} placed by {@code placement}, a factory such as
   * {@code Placements::consistent} that receives the shard ids and weights in order.
   *
   * @throws IllegalArgumentException if there are no shards or two share an id
   */
  public static <R> ShardTopology<R> of(Collection<Shard<R>> shards,
      Function<Map<String, Integer>, Placement<String>> placement) {
    Objects.requireNonNull(shards, "shards must not be null");
    Objects.requireNonNull(placement, "placement must not be null");
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("a topology needs at least one shard but was given none");
    }
    Map<String, Shard<R>> byId = new LinkedHashMap<>();
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (Shard<R> shard : shards) {
      Objects.requireNonNull(shard, "shard must not be null");
      if (byId.put(shard.id(), shard) != null) {
        throw new IllegalArgumentException("duplicate shard id '" + shard.id() + "'");
      }
      weights.put(shard.id(), shard.weight());
    }
    Placement<String> placed = Objects.requireNonNull(placement.apply(weights),
        "placement factory returned null");
    return new ShardTopology<>(byId, placed, PinTable.EMPTY, 1);
  }

  /** A topology of {@code shards} over the default placement, {@link Placements#consistent(Map)}. */
  public static <R> ShardTopology<R> of(Collection<Shard<R>> shards) {
    return of(shards, Placements::consistent);
  }

  /** The shard that owns {@code routingHash}: its pin if it has one, else the placement's. */
  public Shard<R> shardForHash(long routingHash) {
    String pinned = pins.get(routingHash);
    return shards.get(pinned != null ? pinned : placement.nodeFor(routingHash));
  }

  /** The shard the placement alone names for {@code routingHash}, ignoring pins. */
  public Shard<R> placedShardForHash(long routingHash) {
    return shards.get(placement.nodeFor(routingHash));
  }

  /** The shards, in the order they were added. */
  public List<Shard<R>> shards() {
    return shardList;
  }

  public Optional<Shard<R>> shard(String id) {
    return Optional.ofNullable(shards.get(id));
  }

  /**
   * The placement, for inspection. Change it through this topology ({@link #withShard},
   * {@link #withoutShard}), not with {@link Placement#withNode} on its own: a placement changed
   * outside the topology's history cannot be switched to by a migration's rebase.
   */
  public Placement<String> placement() {
    return placement;
  }

  /** Pins, from routing hash to shard id. */
  public Map<Long, String> pins() {
    return pins.asMap();
  }

  /** Starts at 1 and grows by one with every change. */
  public long version() {
    return version;
  }

  /** This topology with {@code shard} added to the placement. */
  public ShardTopology<R> withShard(Shard<R> shard) {
    Objects.requireNonNull(shard, "shard must not be null");
    if (shards.containsKey(shard.id())) {
      throw new IllegalArgumentException("duplicate shard id '" + shard.id() + "'");
    }
    Map<String, Shard<R>> next = new LinkedHashMap<>(shards);
    next.put(shard.id(), shard);
    return new ShardTopology<>(next, placement.withNode(shard.id(), shard.weight()), pins, version + 1);
  }

  /** This topology without shard {@code id}; its pins go too. */
  public ShardTopology<R> withoutShard(String id) {
    requireShard(id);
    Map<String, Shard<R>> next = new LinkedHashMap<>(shards);
    next.remove(id);
    return new ShardTopology<>(next, placement.withoutNode(id), pins.withoutShard(id), version + 1);
  }

  /** This topology with the resource of shard {@code id} replaced (same placement). */
  public ShardTopology<R> withResource(String id, R resource) {
    Shard<R> old = requireShard(id);
    Map<String, Shard<R>> next = new LinkedHashMap<>(shards);
    next.put(id, new Shard<>(id, resource, old.weight()));
    return new ShardTopology<>(next, placement, pins, version + 1);
  }

  /** This topology with {@code routingHash} forced onto shard {@code id}. */
  public ShardTopology<R> withPin(long routingHash, String id) {
    requireShard(id);
    return new ShardTopology<>(new LinkedHashMap<>(shards), placement, pins.with(routingHash, id), version + 1);
  }

  /** This topology without a pin for {@code routingHash} (unchanged if there is none). */
  public ShardTopology<R> withoutPin(long routingHash) {
    PinTable next = pins.without(routingHash);
    return next == pins ? this : new ShardTopology<>(new LinkedHashMap<>(shards), placement, next, version + 1);
  }

  /**
   * This topology, a target derived from {@code base}, with the changes made to {@code base} since
   * then carried over from {@code current}: pins added, moved or removed (a pin to a shard this
   * topology lacks is dropped) and shard resources replaced (a failover to a new primary). A
   * migration switches to the result, so such changes made while it ran are kept.
   *
   * @throws IllegalStateException if {@code current} no longer has {@code base}'s shards and
   *     placement: a change that moves data, which cannot be carried over
   */
  public ShardTopology<R> rebase(ShardTopology<R> base, ShardTopology<R> current) {
    Objects.requireNonNull(base, "base must not be null");
    Objects.requireNonNull(current, "current must not be null");
    if (current == base) {
      return this;
    }
    if (current.placement != base.placement || !current.shards.keySet().equals(base.shards.keySet())) {
      throw new IllegalStateException("the shards or placement changed since v" + base.version()
          + " (" + base.shards.keySet() + ", now v" + current.version() + " " + current.shards.keySet()
          + "); only pins and resources can be carried over");
    }
    Map<String, Shard<R>> next = new LinkedHashMap<>(shards);
    for (Shard<R> now : current.shardList) {
      Shard<R> then = base.shards.get(now.id());
      if (next.containsKey(now.id()) && !Objects.equals(then.resource(), now.resource())) {
        next.put(now.id(), new Shard<>(now.id(), now.resource(), next.get(now.id()).weight()));
      }
    }
    PinTable nextPins = pins;
    Map<Long, String> before = base.pins.asMap();
    Map<Long, String> after = current.pins.asMap();
    for (Long hash : before.keySet()) {
      if (!after.containsKey(hash)) {
        nextPins = nextPins.without(hash);
      }
    }
    for (Map.Entry<Long, String> pin : after.entrySet()) {
      if (!pin.getValue().equals(before.get(pin.getKey()))) {
        nextPins = next.containsKey(pin.getValue()) ? nextPins.with(pin.getKey(), pin.getValue())
            : nextPins.without(pin.getKey());
      }
    }
    return new ShardTopology<>(next, placement, nextPins, Math.max(version, current.version) + 1);
  }

  private Shard<R> requireShard(String id) {
    Objects.requireNonNull(id, "shard id must not be null");
    Shard<R> shard = shards.get(id);
    if (shard == null) {
      throw new IllegalArgumentException("unknown shard '" + id + "'; shards are " + new ArrayList<>(shards.keySet()));
    }
    return shard;
  }

  /** Whether {@code other} routes every hash as this one does: same shards, placement and pins. */
  boolean routesLike(ShardTopology<?> other) {
    return other.placement == placement && other.pins.equals(pins)
        && other.shards.keySet().equals(shards.keySet());
  }

  @Override
  public String toString() {
    return "ShardTopology(v" + version + ", " + shards.keySet() + ", " + pins.asMap().size() + " pins)";
  }
}
