package io.scaleblocks.sharding.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * In-memory H2 shard databases for the migrator's unit tests. Each shard's data source passes
 * every statement's SQL through a {@link Hook} first, so a test can fail a statement (a connection
 * reset at a DELETE) or act at an exact step of a migration (a pin made when the first copy
 * lands).
 */
final class H2Shards implements AutoCloseable {

  /** Sees the SQL of every statement prepared on one shard, before it runs. */
  @FunctionalInterface
  interface Hook {
    void beforeStatement(String sql) throws SQLException;
  }

  private final List<String> urls = new ArrayList<>();
  private final List<Connection> keepAlive = new ArrayList<>();
  private final List<Hook> hooks = new ArrayList<>();

  H2Shards(int count, String schema) throws SQLException {
    String prefix = "shard" + Long.toString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFL, 36);
    for (int i = 0; i < count; i++) {
      String url = "jdbc:h2:mem:" + prefix + "_" + i + ";DB_CLOSE_DELAY=-1";
      Connection c = DriverManager.getConnection(url);
      try (Statement s = c.createStatement()) {
        s.execute(schema);
      }
      urls.add(url);
      keepAlive.add(c);
      hooks.add(sql -> { });
    }
  }

  void hook(int shard, Hook hook) {
    hooks.set(shard, hook);
  }

  void clearHooks() {
    hooks.replaceAll(h -> sql -> { });
  }

  /** A plain connection to shard {@code i}, bypassing its hook. */
  Connection connect(int i) throws SQLException {
    return DriverManager.getConnection(urls.get(i));
  }

  DataSource dataSource(int i) {
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, new ShardSource(i));
  }

  private final class ShardSource implements InvocationHandler {
    private final int shard;

    ShardSource(int shard) {
      this.shard = shard;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "getConnection":
          return hooked(DriverManager.getConnection(urls.get(shard)));
        case "getLogWriter":
          return (PrintWriter) null;
        case "getLoginTimeout":
          return 0;
        case "getParentLogger":
          throw new SQLFeatureNotSupportedException();
        case "toString":
          return "h2-shard-" + shard;
        case "hashCode":
          return System.identityHashCode(proxy);
        case "equals":
          return proxy == args[0];
        default:
          throw new UnsupportedOperationException(method.getName());
      }
    }

    private Connection hooked(Connection real) {
      return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
          new Class<?>[] {Connection.class}, (proxy, method, args) -> {
            if ((method.getName().equals("prepareStatement") || method.getName().equals("prepareCall"))
                && args != null && args[0] instanceof String sql) {
              hooks.get(shard).beforeStatement(sql);
            }
            try {
              return method.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }
  }

  @Override
  public void close() throws SQLException {
    for (Connection c : keepAlive) {
      try (Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
      c.close();
    }
  }
}
