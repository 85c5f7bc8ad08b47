package io.scaleblocks.replication;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** An H2 DataSource that refuses connections, as a dead server does, while switched off. */
final class SwitchableDataSource implements DataSource {

  private final JdbcDataSource h2 = new JdbcDataSource();
  volatile boolean down;
  volatile int refused;
  private volatile String refusal = "Connection refused";
  private volatile String sqlState = "08001";

  SwitchableDataSource(String url) {
    h2.setURL(url);
  }

  /** While down, refuses with {@code message} and {@code sqlState} (a server that answers "no"). */
  void refuseWith(String message, String sqlState) {
    this.refusal = message;
    this.sqlState = sqlState;
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (down) {
      refused++;
      throw new SQLException(refusal, sqlState);
    }
    return h2.getConnection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return getConnection();
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getGlobal();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
