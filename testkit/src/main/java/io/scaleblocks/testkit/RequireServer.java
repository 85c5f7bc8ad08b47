package io.scaleblocks.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Collection;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Guards an integration test that needs a real server.
 *
 * <p>When the server does not accept a TCP connection, the test fails if the environment
 * variable {@code CI} is {@code true} (a skipped suite is not a pass), and is otherwise aborted
 * as skipped. Either way the message names the address and how to start the server.
 */
public final class RequireServer {

  static final int CONNECT_TIMEOUT_MILLIS = 2_000;

  private RequireServer() {}

  /** The standalone Redis of {@link ServerAddresses#redisUrl()}. */
  public static void redis() {
    reachable("Redis", ServerAddresses.addressOf(ServerAddresses.redisUrl()));
  }

  /** Every seed node of the Redis Cluster. */
  public static void redisCluster() {
    ServerAddresses.redisClusterNodes().forEach(node -> reachable("Redis Cluster node", node));
  }

  /** The PostgreSQL primary. */
  public static void postgresPrimary() {
    reachable("PostgreSQL primary", ServerAddresses.addressOf(ServerAddresses.pgPrimaryUrl()));
  }

  /** The PostgreSQL primary and every replica. */
  public static void postgresWithReplicas() {
    postgresPrimary();
    postgresReplicas(ServerAddresses.pgReplicaUrls());
  }

  /** The MariaDB server. */
  public static void mariadb() {
    reachable("MariaDB", ServerAddresses.addressOf(ServerAddresses.mariadbUrl()));
  }

  static void postgresReplicas(Collection<String> urls) {
    urls.forEach(url -> reachable("PostgreSQL replica", ServerAddresses.addressOf(url)));
  }

  /** Any TCP server. */
  public static void reachable(String what, InetSocketAddress address) {
    reachable(what, address, isCi());
  }

  static void reachable(String what, InetSocketAddress address, boolean ci) {
    String host = address.getHostString();
    int port = address.getPort();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
    } catch (IOException e) {
      String message = what + " is not reachable at " + host + ":" + port + " (" + e.getMessage()
          + "); start the test servers with `scripts/services start`";
      if (ci) {
        Assertions.fail(message);
      }
      Assumptions.abort(message);
    }
  }

  /** Whether this run is CI, where an integration test never skips. */
  public static boolean isCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }
}
