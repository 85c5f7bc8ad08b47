package io.scaleblocks.replication;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** No replication to inspect: a probe only proves the node answers. */
final class PlainDialect implements Dialect {

  static final PlainDialect INSTANCE = new PlainDialect();

  private PlainDialect() {}

  @Override
  public boolean inspectsReplication() {
    return false;
  }

  @Override
  public Probe probe(Connection connection) throws SQLException {
    if (!connection.isValid(0)) {
      throw new SQLException("connection is not valid");
    }
    return new Probe(false, 0, Optional.empty(), 0);
  }

  @Override
  public long commitPosition(Connection connection) {
    return 0;
  }

  @Override
  public long replayPosition(Connection connection) {
    return 0;
  }

  @Override
  public String toString() {
    return "none";
  }
}
