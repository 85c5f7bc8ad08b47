package io.scaleblocks.replication;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.Executor;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The physical connections of a pool the router owns, each opened with the configured network
 * timeout. HikariCP takes the timeout of the first connection as its pool's own and puts it back
 * on every connection that comes back, so a borrowed connection already has it and the router
 * sets nothing on it per borrow (a call that would make HikariCP reset the connection at its
 * return). A driver without network timeouts is left as it is. Thread-safe if the delegate is.
 */
final class NetworkTimeoutDataSource implements DataSource {

  private final DataSource delegate;
  private final Executor executor;
  private final int millis;

  NetworkTimeoutDataSource(DataSource delegate, Executor executor, int millis) {
    this.delegate = delegate;
    this.executor = executor;
    this.millis = millis;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return withTimeout(delegate.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return withTimeout(delegate.getConnection(username, password));
  }

  private Connection withTimeout(Connection c) throws SQLException {
    try {
      c.setNetworkTimeout(executor, millis);
    } catch (SQLFeatureNotSupportedException e) {
      // the driver has none: the connection is used without one, as it would be per borrow
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }
}
