package io.scaleblocks.sharding.jdbc;

import io.scaleblocks.sharding.Gather;
import io.scaleblocks.sharding.ScatterGather;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/** Scatter-gather tasks that run one prepared SQL statement on every shard {@link DataSource}. */
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
