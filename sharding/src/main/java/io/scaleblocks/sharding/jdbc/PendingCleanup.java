package io.scaleblocks.sharding.jdbc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Rows a migration left behind: for each shard, keys whose rows there are stale copies, to be
 * deleted by {@link JdbcShardMigrator#cleanup}. After a cutover they are the moved keys' old rows;
 * after a rollback, the copies on the new shards.
 *
 * <p>A cleanup deletes a key's rows from {@code shard} only if that shard is no longer in the
 * router's topology or the router now places the key on the entry's {@code owner}: a key a pin
 * has sent back there since is left alone, and a key a pin has sent to a third shard stays
 * pending (neither copy is known stale until it is placed on one of the two). Immutable and thread-safe; keys are key column values.
 */
public final class PendingCleanup {

  /** Nothing left to clean. */
  public static final PendingCleanup NONE = new PendingCleanup(Map.of(), Map.of());

  /** Rows of keys on {@code shard} that are stale once the router places them on {@code owner}. */
  public record Leftover(String shard, String owner) {
    public Leftover {
      Objects.requireNonNull(shard, "shard must not be null");
      Objects.requireNonNull(owner, "owner must not be null");
    }
  }

  private final Map<Leftover, List<Object>> keys;
  /** The shards' resources when the migration ran: a removed shard is no longer in the router. */
  private final Map<String, DataSource> resources;

  PendingCleanup(Map<Leftover, List<Object>> keys, Map<String, DataSource> resources) {
    Map<Leftover, List<Object>> copy = new LinkedHashMap<>();
    keys.forEach((where, values) -> {
      if (!values.isEmpty()) {
        copy.put(where, List.copyOf(values));
      }
    });
    this.keys = Collections.unmodifiableMap(copy);
    this.resources = Map.copyOf(resources);
  }

  Optional<DataSource> resource(String shard) {
    return Optional.ofNullable(resources.get(shard));
  }

  /** The key column values left, by where they are left. */
  public Map<Leftover, List<Object>> keys() {
    return keys;
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  /** How many (shard, key) entries are left. */
  public int size() {
    return keys.values().stream().mapToInt(List::size).sum();
  }

  /** The keys left on {@code shard}, over every owner. */
  public List<Object> keysOn(String shard) {
    List<Object> on = new ArrayList<>();
    keys.forEach((where, values) -> {
      if (where.shard().equals(shard)) {
        on.addAll(values);
      }
    });
    return on;
  }

  /** Equal when the same keys are left in the same places. */
  @Override
  public boolean equals(Object other) {
    return other instanceof PendingCleanup p && p.keys.equals(keys);
  }

  @Override
  public int hashCode() {
    return keys.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("PendingCleanup[");
    keys.forEach((where, values) -> s.append(where.shard()).append(" (owner ").append(where.owner())
        .append("): ").append(values.size()).append(" keys; "));
    return s.append(']').toString();
  }
}
