package io.scaleblocks.replication;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * A JDBC driver for {@code jdbc:counting:<an H2 URL>}: H2's connections, with every call on them
 * counted by method name (per URL), and a network timeout that the connection keeps and reports,
 * as a driver that has one does (H2's embedded connections ignore it).
 */
final class CountingDriver implements Driver {

  static final String PREFIX = "jdbc:counting:";
  private static final Map<String, Map<String, AtomicInteger>> CALLS = new ConcurrentHashMap<>();

  static {
    try {
      DriverManager.registerDriver(new CountingDriver());
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A counting URL over {@code h2Url}. */
  static String url(String h2Url) {
    return PREFIX + h2Url.substring("jdbc:".length());
  }

  /** How many times {@code method} was called on connections of {@code url} since the reset. */
  static int calls(String url, String method) {
    AtomicInteger count = CALLS.getOrDefault(url, Map.of()).get(method);
    return count == null ? 0 : count.get();
  }

  /** Every call counted on connections of {@code url}, by method. */
  static Map<String, Integer> calls(String url) {
    Map<String, Integer> copy = new java.util.TreeMap<>();
    CALLS.getOrDefault(url, Map.of()).forEach((method, count) -> copy.put(method, count.get()));
    return copy;
  }

  /** Forgets the calls counted so far on connections of {@code url}, open or not. */
  static void reset(String url) {
    Map<String, AtomicInteger> calls = CALLS.get(url);
    if (calls != null) {
      calls.clear();
    }
  }

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return null;
    }
    Connection real = DriverManager.getConnection("jdbc:" + url.substring(PREFIX.length()), info);
    Map<String, AtomicInteger> calls = CALLS.computeIfAbsent(url, u -> new ConcurrentHashMap<>());
    int[] networkTimeout = {0};
    return (Connection) Proxy.newProxyInstance(CountingDriver.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
          calls.computeIfAbsent(method.getName(), m -> new AtomicInteger()).incrementAndGet();
          switch (method.getName()) {
            case "setNetworkTimeout" -> {
              networkTimeout[0] = (Integer) args[1];
              return null;
            }
            case "getNetworkTimeout" -> {
              return networkTimeout[0];
            }
            case "unwrap" -> {
              return ((Class<?>) args[0]).isInstance(proxy) ? proxy : real.unwrap((Class<?>) args[0]);
            }
            case "isWrapperFor" -> {
              return ((Class<?>) args[0]).isInstance(proxy) || real.isWrapperFor((Class<?>) args[0]);
            }
            default -> {
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            }
          }
        });
  }

  @Override
  public boolean acceptsURL(String url) {
    return url != null && url.startsWith(PREFIX);
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
    return new DriverPropertyInfo[0];
  }

  @Override
  public int getMajorVersion() {
    return 1;
  }

  @Override
  public int getMinorVersion() {
    return 0;
  }

  @Override
  public boolean jdbcCompliant() {
    return false;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }
}
