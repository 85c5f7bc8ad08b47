package io.scaleblocks.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PostgreSQL primary streams to both replicas, and the replicas refuse writes. */
class PostgresReplicationSmokeIT {

  private static final String TABLE = "smoke_" + UUID.randomUUID().toString().replace("-", "");

  @BeforeAll
  static void createTable() throws SQLException {
    RequireServer.postgresWithReplicas();
    try (Connection primary = connect(ServerAddresses.pgPrimaryUrl());
        Statement statement = primary.createStatement()) {
      statement.execute("CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, token text NOT NULL)");
    }
    // Each test may run first: both see the table on every replica, whichever order they run in.
    for (String replicaUrl : ServerAddresses.pgReplicaUrls()) {
      try (Connection replica = connect(replicaUrl)) {
        Await.until(TABLE + " to reach " + replicaUrl, Duration.ofSeconds(10), () -> tableExists(replica));
      }
    }
  }

  private static boolean tableExists(Connection connection) {
    try (PreparedStatement query = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      query.setString(1, TABLE);
      try (ResultSet result = query.executeQuery()) {
        return result.next() && result.getBoolean(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void dropTable() throws SQLException {
    try (Connection primary = connect(ServerAddresses.pgPrimaryUrl());
        Statement statement = primary.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + TABLE);
    }
  }

  @Test
  void rowCommittedOnThePrimaryIsReadOnBothReplicas() throws SQLException {
    String token = UUID.randomUUID().toString();
    try (Connection primary = connect(ServerAddresses.pgPrimaryUrl());
        PreparedStatement insert = primary.prepareStatement("INSERT INTO " + TABLE + " VALUES (?, ?)")) {
      insert.setLong(1, 1);
      insert.setString(2, token);
      assertEquals(1, insert.executeUpdate());
    }

    assertEquals(2, ServerAddresses.pgReplicaUrls().size());
    for (String replicaUrl : ServerAddresses.pgReplicaUrls()) {
      try (Connection replica = connect(replicaUrl)) {
        assertTrue(isInRecovery(replica), replicaUrl + " is not a replica");
        Await.until("the row to reach " + replicaUrl, Duration.ofSeconds(10),
            () -> token.equals(tokenOf(replica, 1)));
      }
    }
  }

  @Test
  void writeOnAReplicaFailsWithReadOnlyError() throws SQLException {
    for (String replicaUrl : ServerAddresses.pgReplicaUrls()) {
      try (Connection replica = connect(replicaUrl);
          Statement statement = replica.createStatement()) {
        SQLException refused = assertThrows(SQLException.class,
            () -> statement.executeUpdate("INSERT INTO " + TABLE + " VALUES (2, 'x')"));

        assertEquals("25006", refused.getSQLState(), refused.getMessage());
        assertTrue(refused.getMessage().contains("read-only transaction"), refused.getMessage());
      }
    }
  }

  static Connection connect(String url) throws SQLException {
    return DriverManager.getConnection(url, ServerAddresses.pgUser(), ServerAddresses.pgPassword());
  }

  private static boolean isInRecovery(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT pg_is_in_recovery()")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static String tokenOf(Connection connection, long id) {
    // The table itself replicates asynchronously too: until it exists, the row is not there.
    try (PreparedStatement select = connection.prepareStatement("SELECT token FROM " + TABLE + " WHERE id = ?")) {
      select.setLong(1, id);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return null;
      }
      throw new IllegalStateException(e);
    }
  }
}
