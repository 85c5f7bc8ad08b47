package io.scaleblocks.sharding;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Routes a sharding key to its shard and the shard's resource.
 *
 * <p>A key becomes a routing key through the key extractor (by default {@code toString()}, and a
 * {@code byte[]} by its content, one char per byte; other arrays are refused); if
 * hash tags are on (the default) and the routing key contains {@code {...}} with something between
 * the braces, only that part is hashed, as in Redis Cluster: {@code "{user42}:orders"} and
 * {@code "{user42}:profile"} land together. The routing hash then goes to its pin if it has one,
 * else to the shard the placement names.
 *
 * <p>Thread-safe. Routing reads one immutable {@link ShardTopology} snapshot without locks or
 * allocation (beyond what the key extractor allocates); {@link #update} and {@link #swap} replace
 * the snapshot atomically. {@link #write} additionally passes through a write gate that a
 * resharding cutover can close for a moment ({@link #pauseWrites}) and that records the keys
 * written while a migration tracks them ({@link #trackWrites}).
 *
 * @param <K> the sharding key type
 * @param <R> the shards' resource type
 */
public interface ShardRouter<K, R> {

  /**
   * The shard for {@code key}.
   *
   * @throws NullPointerException if the key is null, or the key extractor returns null
   */
  Shard<R> shardFor(K key);

  /** The resource of the shard for {@code key}. */
  default R resourceFor(K key) {
    return shardFor(key).resource();
  }

  /** The routing hash of {@code key}: the hash of its routing key, or of its hash tag. */
  long hashOf(K key);

  /** The current snapshot. */
  ShardTopology<R> topology();

  /** Replaces the snapshot with {@code next}. */
  void swap(ShardTopology<R> next);

  /**
   * Applies {@code change} to the current snapshot and installs the result, retrying if another
   * update won the race; returns the installed snapshot.
   */
  ShardTopology<R> update(UnaryOperator<ShardTopology<R>> change);

  /**
   * Forces {@code key} (and every key with its hash tag) onto shard {@code shardId}. A pin moves
   * routing, not data: for a database router, the key's rows stay where they are unless a
   * migration moves them. A migration running meanwhile keeps the pin at its switch.
   */
  default void pin(K key, String shardId) {
    long hash = hashOf(key);
    update(t -> t.withPin(hash, shardId));
  }

  /** Removes the pin of {@code key}, if any. */
  default void unpin(K key) {
    long hash = hashOf(key);
    update(t -> t.withoutPin(hash));
  }

  /**
   * Runs {@code call} on the shard of {@code key} as a write: it waits while writes are paused,
   * routes with the snapshot current once it may proceed, and holds off a pause until it returns.
   * A write inside a write on one thread does not wait. A migration sees only what is committed
   * when {@code call} returns: commit inside it (a transaction that commits later may be lost
   * at a cutover).
   *
   * @throws IllegalStateException if interrupted while writes are paused
   */
  <T, X extends Exception> T write(K key, ShardCall<R, T, X> call) throws X;

  /**
   * Pauses {@link #write}: holds every new write at once, waits up to {@code timeout} for writes
   * in progress to finish, and keeps holding new writes until the returned pause is closed. One
   * pause at a time: a second waits for the first, within its own timeout.
   *
   * @throws IllegalStateException if the writes in progress did not finish within the timeout
   */
  WritePause pauseWrites(Duration timeout);

  /** Starts recording the keys passed to {@link #write} until the tracker is closed. */
  WriteTracker<K> trackWrites();

  /** Receives each routing decision, for metrics; replaces any previous listener (null: none). */
  void listener(RouteListener listener);

  /** Work on one shard. */
  @FunctionalInterface
  interface ShardCall<R, T, X extends Exception> {
    T call(Shard<R> shard) throws X;
  }

  /**
   * Writes are held while this is open. Not tied to a thread: it may be closed on any thread, and
   * closing it again does nothing.
   */
  interface WritePause extends AutoCloseable {
    /** Nanoseconds since the pause began to hold new writes (waiting for writes included). */
    long heldNanos();

    @Override
    void close();
  }

  /** The keys written since tracking began or since the last {@link #drain()}. */
  interface WriteTracker<K> extends AutoCloseable {
    Set<K> drain();

    @Override
    void close();
  }

  /** Observes routing; must be fast and must not throw. */
  @FunctionalInterface
  interface RouteListener {
    void routed(Shard<?> shard, long routingHash);
  }

  static <K, R> Builder<K, R> builder() {
    return new Builder<>();
  }

  /** Configures a router; every setter validates its argument. Not thread-safe. */
  final class Builder<K, R> {
    /** Hash tags are on by default. */
    public static final boolean DEFAULT_HASH_TAGS = true;

    private ShardTopology<R> topology;
    private final List<Shard<R>> shards = new ArrayList<>();
    private Function<Map<String, Integer>, Placement<String>> placement = Placements::consistent;
    private Function<? super K, ? extends CharSequence> keyExtractor = Builder::defaultRoutingKey;
    private HashFunction hash = Hashing.murmur3();
    private boolean hashTags = DEFAULT_HASH_TAGS;
    private String name = "shard-router";

    Builder() {}

    /** Adds a shard of weight 1. */
    public Builder<K, R> shard(String id, R resource) {
      shards.add(Shard.of(id, resource));
      return this;
    }

    public Builder<K, R> shard(String id, R resource, int weight) {
      shards.add(new Shard<>(id, resource, weight));
      return this;
    }

    public Builder<K, R> shards(Collection<Shard<R>> all) {
      Objects.requireNonNull(all, "shards must not be null").forEach(s ->
          shards.add(Objects.requireNonNull(s, "shard must not be null")));
      return this;
    }

    /** Starts from an existing topology instead of shards. */
    public Builder<K, R> topology(ShardTopology<R> initial) {
      this.topology = Objects.requireNonNull(initial, "topology must not be null");
      return this;
    }

    /** The placement over shard ids and weights; default {@code Placements::consistent}. */
    public Builder<K, R> placement(Function<Map<String, Integer>, Placement<String>> factory) {
      this.placement = Objects.requireNonNull(factory, "placement must not be null");
      return this;
    }

    /**
     * The default routing key: a {@code byte[]} by its content (one char per byte), any other
     * array refused (its {@code toString()} is its identity), anything else its {@code toString()}.
     */
    static CharSequence defaultRoutingKey(Object key) {
      if (key instanceof byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
      }
      if (key.getClass().isArray()) {
        throw new IllegalArgumentException("a " + key.getClass().getComponentType().getName()
            + "[] key has no routing key by content; give the router a keyExtractor");
      }
      return key.toString();
    }

    /** How a key becomes its routing key; default {@link #defaultRoutingKey}. */
    public Builder<K, R> keyExtractor(Function<? super K, ? extends CharSequence> extractor) {
      this.keyExtractor = Objects.requireNonNull(extractor, "keyExtractor must not be null");
      return this;
    }

    /** The hash of routing keys; default {@link Hashing#murmur3()}. */
    public Builder<K, R> hashFunction(HashFunction function) {
      this.hash = Objects.requireNonNull(function, "hashFunction must not be null");
      return this;
    }

    /** Whether {@code {tag}} hash tags apply; default {@value #DEFAULT_HASH_TAGS}. */
    public Builder<K, R> hashTags(boolean enabled) {
      this.hashTags = enabled;
      return this;
    }

    /** The name that log lines and metrics carry. */
    public Builder<K, R> name(String routerName) {
      Objects.requireNonNull(routerName, "name must not be null");
      if (routerName.isBlank()) {
        throw new IllegalArgumentException("name must not be blank but was '" + routerName + "'");
      }
      this.name = routerName;
      return this;
    }

    /**
     * @throws IllegalArgumentException if neither shards nor a topology were given, or both
     */
    public ShardRouter<K, R> build() {
      if (topology != null && !shards.isEmpty()) {
        throw new IllegalArgumentException("give either shards or a topology, not both");
      }
      ShardTopology<R> initial = topology != null ? topology : ShardTopology.of(shards, placement);
      return new SnapshotShardRouter<>(name, initial, keyExtractor, hash, hashTags);
    }
  }
}
