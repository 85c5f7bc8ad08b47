package io.scaleblocks.sharding;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The moves between two topologies: for any routing hash, whether its owner changes and from
 * which shard to which.
 *
 * <p>The plan is exact per key: {@link #moveFor(long)} and {@link #movesOf} evaluate both
 * topologies (pins included), so they name precisely the keys that move; for a minimal-disruption
 * placement only keys of removed shards leave and only added shards receive. Immutable and
 * thread-safe; {@link #moveFor(long)} is allocation-free when the key does not move.
 *
 * @param <R> the shards' resource type
 */
public final class ReshardingPlan<R> {

  /** One key's move, or the pair of shards a group of keys moves between. */
  public record Move(String from, String to) {
    @Override
    public String toString() {
      return from + " -> " + to;
    }
  }

  private final ShardTopology<R> before;
  private final ShardTopology<R> after;

  private ReshardingPlan(ShardTopology<R> before, ShardTopology<R> after) {
    this.before = before;
    this.after = after;
  }

  /**
   * The plan from {@code before} to {@code after}.
   *
   * @throws IllegalArgumentException if the plan is empty: both route every key alike
   */
  public static <R> ReshardingPlan<R> plan(ShardTopology<R> before, ShardTopology<R> after) {
    Objects.requireNonNull(before, "before must not be null");
    Objects.requireNonNull(after, "after must not be null");
    if (before.routesLike(after)) {
      throw new IllegalArgumentException("empty plan: topology v" + before.version() + " and v"
          + after.version() + " route every key alike (same shards " + after.shards()
          + ", placement and pins); nothing to move");
    }
    return new ReshardingPlan<>(before, after);
  }

  public ShardTopology<R> before() {
    return before;
  }

  public ShardTopology<R> after() {
    return after;
  }

  /** The shard that owns {@code routingHash} before the move. */
  public String from(long routingHash) {
    return before.shardForHash(routingHash).id();
  }

  /** The shard that owns {@code routingHash} after the move. */
  public String to(long routingHash) {
    return after.shardForHash(routingHash).id();
  }

  /** Whether the owner of {@code routingHash} changes. */
  public boolean moves(long routingHash) {
    return !from(routingHash).equals(to(routingHash));
  }

  /** The move of {@code routingHash}, empty if it stays. */
  public Optional<Move> moveFor(long routingHash) {
    String from = from(routingHash);
    String to = to(routingHash);
    return from.equals(to) ? Optional.empty() : Optional.of(new Move(from, to));
  }

  /** Exactly which of {@code keys} move, grouped by move, in key order within a group. */
  public <K> Map<Move, List<K>> movesOf(Iterable<K> keys, ToLongFunction<? super K> routingHash) {
    Objects.requireNonNull(keys, "keys must not be null");
    Map<Move, List<K>> moves = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
    for (K key : keys) {
      long hash = routingHash.applyAsLong(Objects.requireNonNull(key, "key must not be null"));
      moveFor(hash).ifPresent(move -> moves.computeIfAbsent(move, m -> new ArrayList<>()).add(key));
    }
    return moves;
  }

  /**
   * The share of the hash space each move carries, estimated from {@code samples} seeded random
   * hashes; for sizing a migration before running it.
   */
  public Map<Move, Double> estimatedShares(int samples, long seed) {
    if (samples <= 0) {
      throw new IllegalArgumentException("samples must be > 0 but was " + samples);
    }
    Map<Move, Long> counts = new LinkedHashMap<>();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < samples; i++) {
      moveFor(random.nextLong()).ifPresent(move -> counts.merge(move, 1L, Long::sum));
    }
    Map<Move, Double> shares = new LinkedHashMap<>();
    counts.forEach((move, count) -> shares.put(move, (double) count / samples));
    return shares;
  }

  @Override
  public String toString() {
    return "ReshardingPlan(v" + before.version() + " " + before.shards() + " -> v" + after.version()
        + " " + after.shards() + ")";
  }
}
