package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * State a borrower changed on the driver's own connection, reached through {@code unwrap}, out
 * of the pool's sight: the next borrower still gets the connection it asks for.
 */
class UnwrappedStateTest {

  private H2Nodes h2;

  @BeforeEach
  void setUp() throws SQLException {
    h2 = new H2Nodes();
  }

  @AfterEach
  void tearDown() throws SQLException {
    h2.close();
  }

  private ReplicationDataSource onePooledConnection() {
    HikariConfig hikari = new HikariConfig();
    hikari.setMaximumPoolSize(1);
    hikari.setMinimumIdle(1);
    return ReplicationDataSource.create(ReplicationConfig.builder()
        .name("unwrapped").hikari(hikari).primary(h2.primary).monitor(false).build());
  }

  private int committedItems() throws SQLException {
    try (Connection c = DriverManager.getConnection(h2.primary);
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM items")) {
      rows.next();
      return rows.getInt(1);
    }
  }

  private static void manualCommitOnTheDriversConnection(ReplicationDataSource ds)
      throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.unwrap(org.h2.jdbc.JdbcConnection.class).setAutoCommit(false);
    }
  }

  @Test
  void anAutoCommitAskedForIsHadAfterABorrowerTurnedItOffOnTheDriversConnection()
      throws SQLException {
    try (ReplicationDataSource ds = onePooledConnection()) {
      manualCommitOnTheDriversConnection(ds);
      try (Connection c = ds.getConnection()) {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
          s.executeUpdate("INSERT INTO items VALUES (1)");
        }
      }
      assertEquals(1, committedItems(), "an auto-commit insert is committed");
    }
  }

  @Test
  void theNextBorrowerGetsThePoolsAutoCommitAfterOneTurnedItOffOnTheDriversConnection()
      throws SQLException {
    try (ReplicationDataSource ds = onePooledConnection()) {
      manualCommitOnTheDriversConnection(ds);
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO items VALUES (1)");
      }
      assertEquals(1, committedItems(), "an insert in the pool's auto-commit is committed");
    }
  }
}
