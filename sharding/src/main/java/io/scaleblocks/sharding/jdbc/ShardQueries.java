package io.scaleblocks.sharding.jdbc;

import io.scaleblocks.sharding.Gather;
import io.scaleblocks.sharding.ScatterGather;
import io.scaleblocks.sharding.Shard;
import io.scaleblocks.sharding.ShardRouter;
import io.scaleblocks.sharding.ShardTopology;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Scatter-gather tasks that run one prepared SQL statement on every shard {@link DataSource}.
 *
 * <p>During a migration, and after one whose cleanup is pending, a moved key's rows sit on two
 * shards of the router (a shard removal copies onto live shards). {@link #owned} wraps a task so
 * that each shard answers only the rows whose key the router's current topology places there;
 * database-side aggregates ({@link #aggregate}) cannot be filtered that way and count the copies
 * too.
 */
public final class ShardQueries {

  private ShardQueries() {}

  /** Maps the current row of a result set. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet row) throws SQLException;
  }

  /**
   * Runs {@code sql} with {@code parameters} on each shard and maps every row. The statement's
   * query timeout is set to {@code queryTimeoutSeconds} (0: none) so that the database, too,
   * gives up at the deadline.
   */
  public static <T> ScatterGather.ShardTask<DataSource, T> sql(String sql, RowMapper<T> mapper,
      int queryTimeoutSeconds, Object... parameters) {
    Objects.requireNonNull(sql, "sql must not be null");
    Objects.requireNonNull(mapper, "mapper must not be null");
    if (queryTimeoutSeconds < 0) {
      throw new IllegalArgumentException("queryTimeoutSeconds must be >= 0 but was " + queryTimeoutSeconds);
    }
    Object[] params = parameters.clone();
    return shard -> {
      try (Connection connection = shard.resource().getConnection();
          PreparedStatement statement = connection.prepareStatement(sql)) {
        statement.setQueryTimeout(queryTimeoutSeconds);
        for (int i = 0; i < params.length; i++) {
          statement.setObject(i + 1, params[i]);
        }
        List<T> rows = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            rows.add(mapper.map(rs));
          }
        }
        return rows;
      }
    };
  }

  /**
   * {@code task}, keeping of each shard's rows only those whose key ({@code keyOf} the row) is
   * placed on that shard, pins included: copies a migration left on another shard are dropped.
   * Placement is judged by the topology the scatter-gather took its shard list from
   * ({@link ScatterGather.ShardTask#run(Shard, Optional)}), so a call that straddles a
   * migration's switch neither drops a moved key's rows from the old shard it queried nor counts
   * them twice (and if the old shard answers after the migration's cleanup, the scatter-gather
   * runs again on the new topology: {@link ScatterGather#query}); run outside a scatter-gather
   * it uses the router's current topology. Costs one routing lookup per row.
   */
  public static <K, T> ScatterGather.ShardTask<DataSource, T> owned(ScatterGather.ShardTask<DataSource, T> task,
      ShardRouter<K, DataSource> router, Function<? super T, ? extends K> keyOf) {
    Objects.requireNonNull(task, "task must not be null");
    Objects.requireNonNull(router, "router must not be null");
    Objects.requireNonNull(keyOf, "keyOf must not be null");
    return new ScatterGather.ShardTask<>() {
      @Override
      public List<T> run(Shard<DataSource> shard) throws Exception {
        return run(shard, Optional.empty());
      }

      @Override
      public List<T> run(Shard<DataSource> shard, Optional<ShardTopology<DataSource>> queried)
          throws Exception {
        List<T> rows = task.run(shard, queried);
        ShardTopology<DataSource> placement = queried.orElseGet(router::topology);
        List<T> mine = new ArrayList<>(rows.size());
        for (T row : rows) {
          if (placement.shardForHash(router.hashOf(keyOf.apply(row))).id().equals(shard.id())) {
            mine.add(row);
          }
        }
        return mine;
      }
    };
  }

  /**
   * Runs {@code SELECT count(column), sum(column), min(column), max(column) FROM table [WHERE
   * where]} on each shard, for {@link Gather#aggregate()}. {@code table} and {@code column} must
   * be plain identifiers; {@code where} is SQL with {@code ?} placeholders for {@code parameters}.
   */
  public static ScatterGather.ShardTask<DataSource, Gather.Aggregate> aggregate(String table,
      String column, String where, int queryTimeoutSeconds, Object... parameters) {
    String sql = "SELECT count(" + Identifiers.check(column) + "), sum(" + column + "), min("
        + column + "), max(" + column + ") FROM " + Identifiers.check(table)
        + (where == null || where.isBlank() ? "" : " WHERE " + where);
    return sql(sql, rs -> {
      long count = rs.getLong(1);
      return count == 0 ? Gather.Aggregate.EMPTY
          : new Gather.Aggregate(count, rs.getLong(2), rs.getLong(3), rs.getLong(4));
    }, queryTimeoutSeconds, parameters);
  }
}
