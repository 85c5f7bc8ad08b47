package io.scaleblocks.replication;

import java.sql.SQLException;

/** Work run inside a routing scope, for {@link ReplicationDataSource#readOnly(SqlWork)}. */
@FunctionalInterface
public interface SqlWork<T> {

  T run() throws SQLException;
}
