package io.scaleblocks.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code scripts/services} is idempotent, reports every server's role, and stops and restarts one. */
class ServicesIT {

  private static final Pattern REPLICA_LAG = Pattern.compile("up, replica, lag \\d+ bytes");

  @BeforeAll
  static void requireServers() {
    RequireServer.redis();
    RequireServer.redisCluster();
    RequireServer.postgresWithReplicas();
  }

  @Test
  void secondStartChangesNothingAndSaysSo() {
    String output = Services.run("start");

    assertFalse(output.contains("started"), output);
    assertFalse(output.contains("cloning"), output);
    assertTrue(output.contains("redis " + (16379 + ServerAddresses.PORT_OFFSET) + " already running"), output);
    assertTrue(output.contains("redis cluster " + (17000 + ServerAddresses.PORT_OFFSET) + " " + (17001 + ServerAddresses.PORT_OFFSET) + " " + (17002 + ServerAddresses.PORT_OFFSET)
        + " already running"), output);
    assertTrue(output.contains("pg-primary " + (15432 + ServerAddresses.PORT_OFFSET) + " already running"), output);
    assertTrue(output.contains("pg-replica1 " + (15433 + ServerAddresses.PORT_OFFSET) + " already running"), output);
    assertTrue(output.contains("pg-replica2 " + (15434 + ServerAddresses.PORT_OFFSET) + " already running"), output);
  }

  @Test
  void statusListsEveryServerWithItsRole() {
    Services.Status status = Services.status();

    assertTrue(status.allUp(), status.report());
    assertTrue(status.report().contains("127.0.0.1:" + (16379 + ServerAddresses.PORT_OFFSET) + "  up, standalone"), status.report());
    for (int port = 17000 + ServerAddresses.PORT_OFFSET; port <= 17002 + ServerAddresses.PORT_OFFSET; port++) {
      assertTrue(status.report().contains("127.0.0.1:" + port + "  up, cluster master, cluster_state:ok"),
          status.report());
    }
    assertTrue(status.report().contains("127.0.0.1:" + (15432 + ServerAddresses.PORT_OFFSET) + "  up, primary"), status.report());
    assertTrue(REPLICA_LAG.matcher(status.report()).results().count() == 2, status.report());
  }

  @Test
  void stoppedReplicaIsReportedDownAndRejoinsStreamingOnStart() throws SQLException {
    String replicaUrl = ServerAddresses.pgReplicaUrls().get(1);
    try {
      Services.stop("pg-replica2");

      Services.Status status = Services.status();
      assertFalse(status.allUp(), status.report());
      assertTrue(status.report().contains("127.0.0.1:" + (15434 + ServerAddresses.PORT_OFFSET) + "  DOWN"), status.report());
      assertFalse(canConnect(replicaUrl), replicaUrl + " still accepts connections");
    } finally {
      Services.start("pg-replica2");
    }

    Await.until(replicaUrl + " to accept connections", Duration.ofSeconds(30), () -> canConnect(replicaUrl));
    assertTrue(Services.status().allUp(), Services.status().report());
  }

  private static boolean canConnect(String url) {
    try (Connection connection = DriverManager.getConnection(url, ServerAddresses.pgUser(), ServerAddresses.pgPassword())) {
      return connection.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }
}
