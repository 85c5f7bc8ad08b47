package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Routing and connection-state cases where a scope, a transaction and the pool meet. */
@SuppressWarnings("try")
class RoutingEdgeTest {

  private H2Nodes h2;
  private ReplicationDataSource ds;

  @BeforeEach
  void setUp() throws SQLException {
    h2 = new H2Nodes();
    ds = ReplicationDataSource.create(h2.builder().build());
  }

  @AfterEach
  void tearDown() throws SQLException {
    ds.close();
    h2.close();
  }

  private static int itemsOn(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
        ResultSet row = s.executeQuery("SELECT count(*) FROM items")) {
      row.next();
      return row.getInt(1);
    }
  }

  private static void insertItem(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO items VALUES (1)");
    }
  }

  @Test
  void aTransactionStartedOutsideAReadOnlyScopeStaysOnThePrimary() throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      assertEquals("primary", ds.readOnly(() -> H2Nodes.whoami(c)));
      insertItem(c);
      c.commit();
    }
    assertEquals(1, itemsOn(h2.primary));
    assertEquals(0, itemsOn(h2.replica1) + itemsOn(h2.replica2));
  }

  @Test
  void aReadOnlyScopeSendsReadsToAReadOnlyReplicaButNotAReadWriteTransaction() throws SQLException {
    ds.readOnly(() -> {
      try (Connection c = ds.getConnection()) {
        assertTrue(H2Nodes.whoami(c).startsWith("replica"));
        assertTrue(c.isReadOnly(), "the scope's read-only is set on the replica's connection");
      }
      try (Connection c = ds.getConnection()) {
        c.setAutoCommit(false);
        assertEquals("primary", H2Nodes.whoami(c), "a transaction not marked read-only may write");
        c.commit();
      }
      try (Connection c = ds.getConnection()) {
        c.setAutoCommit(false);
        c.setReadOnly(true);
        assertTrue(H2Nodes.whoami(c).startsWith("replica"));
        c.commit();
      }
      return null;
    });
  }

  @Test
  void aScopeClosedOnAnotherThreadStillEndsForTheThreadThatOpenedIt() throws Exception {
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      Scope scope = ds.readOnlyScope();
      ExecutionException e = assertThrows(ExecutionException.class, () -> other.submit(() -> {
        scope.close();
        return null;
      }).get());
      assertTrue(e.getCause() instanceof IllegalStateException, e.getCause().toString());
      try (Connection c = ds.getConnection()) {
        assertEquals("primary", H2Nodes.whoami(c));
        insertItem(c);
      }
      assertEquals(1, itemsOn(h2.primary));
      scope.close();
    } finally {
      other.shutdown();
    }
  }

  @Test
  void readWriteAfterACommittedReplicaTransactionMovesToThePrimary() throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      c.setReadOnly(true);
      assertTrue(H2Nodes.whoami(c).startsWith("replica"));
      c.commit();
      c.setReadOnly(false);
      assertEquals("primary", H2Nodes.whoami(c));
      insertItem(c);
      c.commit();
    }
    assertEquals(1, itemsOn(h2.primary));
  }

  @Test
  void aNetworkTimeoutWithoutAnExecutorIsReplayed() throws SQLException {
    List<Integer> timeouts = new CopyOnWriteArrayList<>();
    try (ReplicationDataSource recorded = ReplicationDataSource.create(ReplicationConfig.builder()
        .name("recorded").primary("primary", recordingNetworkTimeouts(h2.primary, timeouts))
        .networkTimeout(Duration.ZERO).monitor(false).build());
        Connection c = recorded.getConnection()) {
      c.setNetworkTimeout(null, 1234);
      timeouts.clear(); // the monitor's probe connection sets the probe timeout
      H2Nodes.whoami(c);
      assertEquals(List.of(1234), timeouts);
    }
  }

  @Test
  void theConfiguredNetworkTimeoutIsSetWhenTheConnectionDidNotSetOne() throws SQLException {
    List<Integer> timeouts = new CopyOnWriteArrayList<>();
    try (ReplicationDataSource recorded = ReplicationDataSource.create(ReplicationConfig.builder()
        .name("recorded").primary("primary", recordingNetworkTimeouts(h2.primary, timeouts))
        .networkTimeout(Duration.ofSeconds(7)).monitor(false).build());
        Connection c = recorded.getConnection()) {
      timeouts.clear(); // the monitor's probe connection sets the probe timeout
      H2Nodes.whoami(c);
      assertEquals(List.of(7000), timeouts);
    }
  }

  /** H2 connections whose setNetworkTimeout records the timeout and does nothing else. */
  private static DataSource recordingNetworkTimeouts(String url, List<Integer> timeouts) {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL(url);
    return (DataSource) Proxy.newProxyInstance(RoutingEdgeTest.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          Object result = invoke(method, h2, args);
          if (!method.getName().equals("getConnection")) {
            return result;
          }
          Connection real = (Connection) result;
          return Proxy.newProxyInstance(RoutingEdgeTest.class.getClassLoader(),
              new Class<?>[] {Connection.class}, (p, m, a) -> {
                if (m.getName().equals("setNetworkTimeout")) {
                  timeouts.add((Integer) a[1]);
                  return null;
                }
                return invoke(m, real, a);
              });
        });
  }

  private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void holdabilityAndClientInfoDoNotLeakToTheNextUserOfAPooledConnection() throws SQLException {
    HikariConfig single = new HikariConfig();
    single.setMaximumPoolSize(1);
    String db2 = h2.primary + ";MODE=DB2";
    try (ReplicationDataSource pooled = ReplicationDataSource.create(ReplicationConfig.builder()
        .name("pooled").hikari(single).primary("primary", db2).monitor(false).build())) {
      int defaultHoldability;
      try (Connection c = pooled.getConnection()) {
        defaultHoldability = c.getHoldability();
      }
      int other = defaultHoldability == ResultSet.HOLD_CURSORS_OVER_COMMIT
          ? ResultSet.CLOSE_CURSORS_AT_COMMIT : ResultSet.HOLD_CURSORS_OVER_COMMIT;
      try (Connection c = pooled.getConnection()) {
        c.setHoldability(other);
        c.setClientInfo("ApplicationName", "first-user");
        H2Nodes.whoami(c);
        assertEquals("first-user", c.getClientInfo("ApplicationName"));
      }
      try (Connection c = pooled.getConnection()) {
        H2Nodes.whoami(c);
        assertEquals(defaultHoldability, c.getHoldability());
        String left = c.getClientInfo("ApplicationName");
        assertTrue(left == null || left.isEmpty(), "client info left over: " + left);
        c.setClientInfo("ApplicationName", "second-user");
        c.setHoldability(other);
      }
      try (Connection c = pooled.getConnection()) {
        assertEquals(defaultHoldability, c.getHoldability(), "also when set after the first statement");
        String left = c.getClientInfo("ApplicationName");
        assertTrue(left == null || left.isEmpty(), "client info left over: " + left);
      }
    }
  }

  @Test
  void aClosedConnectionRefusesStateCallsWith08003() throws SQLException {
    Connection c = ds.getConnection();
    c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
    c.setClientInfo("ApplicationName", "x");
    c.setHoldability(ResultSet.CLOSE_CURSORS_AT_COMMIT);
    c.setCatalog("c");
    c.setSchema("s");
    c.setNetworkTimeout(null, 10);
    c.close();
    List<Executable> calls = List.of(c::getTransactionIsolation, () -> c.getClientInfo("ApplicationName"),
        c::getClientInfo, c::getHoldability, c::getCatalog, c::getSchema, c::getTypeMap,
        c::getNetworkTimeout);
    for (Executable call : calls) {
      assertEquals("08003", assertThrows(SQLException.class, call).getSQLState());
    }
    assertEquals("08003", assertThrows(SQLClientInfoException.class,
        () -> c.setClientInfo("ApplicationName", "y")).getSQLState());
    Properties properties = new Properties();
    assertEquals("08003", assertThrows(SQLClientInfoException.class,
        () -> c.setClientInfo(properties)).getSQLState());
  }

  @Test
  void aReplicaWhosePoolTimesOutLeavesRotation() throws SQLException {
    HikariConfig single = new HikariConfig();
    single.setMaximumPoolSize(1);
    try (ReplicationDataSource pooled = ReplicationDataSource.create(h2.builder().name("pooled")
        .hikari(single).connectTimeout(Duration.ofMillis(250)).build());
        Connection first = pooled.getConnection(); Connection second = pooled.getConnection()) {
      first.setReadOnly(true);
      second.setReadOnly(true);
      assertEquals(java.util.Set.of("replica1", "replica2"),
          java.util.Set.of(H2Nodes.whoami(first), H2Nodes.whoami(second)), "one connection from each replica");
      try (Connection third = pooled.getConnection()) {
        third.setReadOnly(true);
        assertEquals("primary", H2Nodes.whoami(third), "both replica pools are exhausted");
      }
      Map<String, NodeState> states = new java.util.HashMap<>();
      pooled.status().forEach(s -> states.put(s.name(), s.state()));
      assertEquals(NodeState.DOWN, states.get("replica1"));
      assertEquals(NodeState.DOWN, states.get("replica2"));
      assertFalse(first.isClosed(), "a pool timeout aborts no connection in use");
    }
  }

  @Test
  void signedTokensAreRefused() {
    for (String bad : List.of("-1/-1", "+A/+B", "1/+2", "-0/0", " 1/ 2")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CausalToken.parse(bad));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
    assertEquals(new CausalToken(0xA_0000_000BL), CausalToken.parse("A/B"));
  }

  @Test
  void aPrimaryNameWithoutAUrlSaysTheUrlIsRequired() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReplicationConfig.from(Map.of("primary.name", "main")));
    assertTrue(e.getMessage().contains("primary.url"), e.getMessage());
  }

  @Test
  void theNetworkTimeoutSettingIsReadAndRangeChecked() {
    assertTrue(ReplicationConfig.from(Map.of("primary.url", "jdbc:h2:mem:x", "network-timeout", "2s"))
        .networkTimeout.equals(Duration.ofSeconds(2)));
    assertEquals(ReplicationConfig.DEFAULT_NETWORK_TIMEOUT,
        ReplicationConfig.from(Map.of("primary.url", "jdbc:h2:mem:x")).networkTimeout);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReplicationConfig.builder().networkTimeout(Duration.ofMillis(-1)));
    assertTrue(e.getMessage().contains("PT-0.001S"), e.getMessage());
  }
}
