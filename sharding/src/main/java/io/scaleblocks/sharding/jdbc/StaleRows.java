package io.scaleblocks.sharding.jdbc;

import io.scaleblocks.sharding.ShardRouter;
import io.scaleblocks.sharding.ShardTopology;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the stale rows a {@link PendingCleanup} names, shard by shard, where the router's
 * current topology no longer reads them; a shard that fails keeps its entry for the next try.
 * Immutable; one call at a time per pending cleanup.
 */
final class StaleRows<K> {

  private static final Logger LOG = LoggerFactory.getLogger(JdbcShardMigrator.class);

  private final String name;
  private final String tableName;
  private final ShardTable table;
  private final Function<Object, K> keyFromColumn;

  StaleRows(String name, String tableName, ShardTable table, Function<Object, K> keyFromColumn) {
    this.name = name;
    this.tableName = tableName;
    this.table = table;
    this.keyFromColumn = keyFromColumn;
  }

  /** Rows deleted, what is left, and the last failure (empty if none). */
  record Cleaned(long deleted, PendingCleanup left, String failure, int undecided) {}

  Cleaned delete(ShardRouter<K, DataSource> router, PendingCleanup pending) {
    Map<PendingCleanup.Leftover, List<Object>> left = new LinkedHashMap<>();
    long deleted = 0;
    String failure = "";
    int undecided = 0;
    for (Map.Entry<PendingCleanup.Leftover, List<Object>> entry : pending.keys().entrySet()) {
      PendingCleanup.Leftover where = entry.getKey();
      ShardTopology<DataSource> now = router.topology();
      boolean routed = now.shard(where.shard()).isPresent();
      List<Object> stale = new ArrayList<>();
      List<Object> unowned = new ArrayList<>();
      for (Object key : entry.getValue()) {
        String placed = routed ? now.shardForHash(hashOf(router, key)).id() : where.owner();
        if (placed.equals(where.owner())) {
          stale.add(key);
        } else if (!placed.equals(where.shard())) {
          // Pinned to a third shard: neither copy is known stale; keep both, and say so.
          unowned.add(key);
        }
      }
      if (!unowned.isEmpty()) {
        left.put(where, unowned);
        undecided += unowned.size();
      }
      if (stale.isEmpty()) {
        continue;
      }
      Optional<DataSource> resource = now.shard(where.shard()).map(s -> s.resource())
          .or(() -> pending.resource(where.shard()));
      try {
        deleted += table.delete(resource.orElseThrow(() -> new SQLException(
            "shard " + where.shard() + " is unknown to the router and to the migration")), stale);
      } catch (SQLException e) {
        LOG.warn("{} - deleting {} stale keys of {} from {} failed; left for a cleanup", name,
            stale.size(), tableName, where.shard(), e);
        left.merge(where, stale, (a, b) -> {
          List<Object> both = new ArrayList<>(a);
          both.addAll(b);
          return both;
        });
        failure = e.toString();
      }
    }
    return new Cleaned(deleted, new PendingCleanup(left, resourcesOf(pending, left)), failure, undecided);
  }

  private static Map<String, DataSource> resourcesOf(PendingCleanup pending,
      Map<PendingCleanup.Leftover, List<Object>> left) {
    Map<String, DataSource> resources = new LinkedHashMap<>();
    left.keySet().forEach(where -> pending.resource(where.shard()).ifPresent(r -> resources.put(where.shard(), r)));
    return resources;
  }

  private long hashOf(ShardRouter<K, DataSource> router, Object keyValue) {
    return router.hashOf(keyFromColumn.apply(keyValue));
  }
}
