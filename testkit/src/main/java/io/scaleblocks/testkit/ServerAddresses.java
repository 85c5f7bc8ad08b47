package io.scaleblocks.testkit;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;

/**
 * Where the integration-test servers that {@code scripts/services} starts are listening.
 *
 * <p>Every address can be overridden by a system property ({@code -Dscaleblocks.redis.url=…}) or,
 * failing that, by the environment variable of the same name in upper case with dots as
 * underscores ({@code SCALEBLOCKS_REDIS_URL}). The defaults are the loopback ports that
 * {@code scripts/services start} uses, moved up by {@code SCALEBLOCKS_PORT_OFFSET} when that
 * variable is set, as the script does.
 */
public final class ServerAddresses {

  /** What {@code SCALEBLOCKS_PORT_OFFSET} adds to every default port (0 when unset). */
  public static final int PORT_OFFSET = portOffset();

  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:" + (16379 + PORT_OFFSET);
  public static final String DEFAULT_REDIS_CLUSTER_NODES = "127.0.0.1:" + (17000 + PORT_OFFSET)
      + ",127.0.0.1:" + (17001 + PORT_OFFSET) + ",127.0.0.1:" + (17002 + PORT_OFFSET);
  public static final String DEFAULT_PG_PRIMARY_URL =
      "jdbc:postgresql://127.0.0.1:" + (15432 + PORT_OFFSET) + "/scaleblocks";
  public static final String DEFAULT_PG_REPLICA_URLS =
      "jdbc:postgresql://127.0.0.1:" + (15433 + PORT_OFFSET) + "/scaleblocks,"
          + "jdbc:postgresql://127.0.0.1:" + (15434 + PORT_OFFSET) + "/scaleblocks";
  public static final String DEFAULT_PG_USER = "scaleblocks";
  public static final String DEFAULT_PG_PASSWORD = "scaleblocks";
  public static final String DEFAULT_MARIADB_URL = "jdbc:mariadb://127.0.0.1:" + (13306 + PORT_OFFSET) + "/scaleblocks?sslMode=disable";
  public static final String DEFAULT_MARIADB_USER = "scaleblocks";
  public static final String DEFAULT_MARIADB_PASSWORD = "scaleblocks";

  private ServerAddresses() {}

  /** The standalone Redis, as a {@code redis://host:port} URI. */
  public static String redisUrl() {
    return setting("scaleblocks.redis.url", DEFAULT_REDIS_URL);
  }

  /** The Redis Cluster's seed nodes. */
  public static List<InetSocketAddress> redisClusterNodes() {
    return List.of(setting("scaleblocks.redis.cluster.nodes", DEFAULT_REDIS_CLUSTER_NODES).split(","))
        .stream()
        .map(String::trim)
        .map(ServerAddresses::hostAndPort)
        .toList();
  }

  /** The PostgreSQL primary's JDBC URL. */
  public static String pgPrimaryUrl() {
    return setting("scaleblocks.pg.primary.url", DEFAULT_PG_PRIMARY_URL);
  }

  /** The PostgreSQL streaming replicas' JDBC URLs, in port order. */
  public static List<String> pgReplicaUrls() {
    return List.of(setting("scaleblocks.pg.replica.urls", DEFAULT_PG_REPLICA_URLS).split(","))
        .stream()
        .map(String::trim)
        .toList();
  }

  public static String pgUser() {
    return setting("scaleblocks.pg.user", DEFAULT_PG_USER);
  }

  public static String pgPassword() {
    return setting("scaleblocks.pg.password", DEFAULT_PG_PASSWORD);
  }

  /** The MariaDB server's JDBC URL (the MySQL dialect's test server; plain TCP on loopback). */
  public static String mariadbUrl() {
    return setting("scaleblocks.mariadb.url", DEFAULT_MARIADB_URL);
  }

  public static String mariadbUser() {
    return setting("scaleblocks.mariadb.user", DEFAULT_MARIADB_USER);
  }

  public static String mariadbPassword() {
    return setting("scaleblocks.mariadb.password", DEFAULT_MARIADB_PASSWORD);
  }

  /** {@code host:port} of a {@code redis://} URI or a JDBC URL. */
  public static InetSocketAddress addressOf(String url) {
    String rest = url.substring(url.indexOf("//") + 2);
    int end = rest.indexOf('/');
    return hostAndPort(end < 0 ? rest : rest.substring(0, end));
  }

  static InetSocketAddress hostAndPort(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected host:port but was '" + hostPort + "'");
    }
    return InetSocketAddress.createUnresolved(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static int portOffset() {
    String value = System.getenv("SCALEBLOCKS_PORT_OFFSET");
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("SCALEBLOCKS_PORT_OFFSET must be a number but was '" + value + "'", e);
    }
  }

  static String setting(String property, String defaultValue) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      value = System.getenv(property.toUpperCase(Locale.ROOT).replace('.', '_'));
    }
    return value == null || value.isBlank() ? defaultValue : value;
  }
}
