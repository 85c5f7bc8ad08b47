package io.scaleblocks.replication;

import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Struct;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * The connection {@link RoutingDataSource#getConnection()} returns: it holds the state set on it
 * until a call needs a physical connection, then asks the router for one (which chooses the node),
 * replays that state on it and delegates from then on. Statements and result sets are the
 * physical connection's own. Not thread-safe, as JDBC connections are not meant to be shared.
 */
final class LazyConnection implements Connection {

  private final RoutingDataSource router;
  /** The scope open on the thread when the connection was obtained. */
  private final RouteContext.Route route;
  private Connection target;
  private Node node;
  private boolean onReplica;
  private RouteContext.Causal causal;
  private boolean closed;
  /** Whether a statement may have run since the last commit or rollback. */
  private boolean used;
  /** Holdability and client info of the physical connection before this one changed them. */
  private int holdabilityToRestore = -1;
  private Properties clientInfoToRestore;
  /**
   * Whether {@link #unwrap} handed out an object past the pool's proxy (the driver's
   * connection): what is set on it escapes HikariCP's tracking of changed state.
   */
  private boolean driverExposed;
  /** The client info keys set on the physical connection; null until one is. */
  private java.util.Set<String> clientInfoTouched;

  private Boolean readOnly;
  private Boolean autoCommit;
  private int isolation = -1;
  private int holdability = -1;
  private String catalog;
  private String schema;
  private Map<String, Class<?>> typeMap;
  private Properties clientInfo;
  private Executor networkExecutor;
  private int networkTimeout = -1;

  LazyConnection(RoutingDataSource router, RouteContext.Route route) {
    this.router = router;
    this.route = route;
  }

  private Connection target() throws SQLException {
    Connection c = target;
    if (c != null) {
      used = true;
      return c;
    }
    if (closed) {
      throw new SQLException(router.name() + " - connection is closed", "08003");
    }
    c = bind();
    used = true;
    return c;
  }

  private Connection bind() throws SQLException {
    boolean effectiveAutoCommit = autoCommit != null ? autoCommit : router.defaultAutoCommit();
    // A scope makes reads go to a replica, never a transaction that may write: only an explicit
    // setReadOnly(true) sends a transaction there.
    boolean toReplica = Boolean.TRUE.equals(readOnly)
        || readOnly == null && route == RouteContext.Route.READ_ONLY && effectiveAutoCommit;
    // acquire sets node, onReplica and causal (through lentBy) before it returns
    Connection c = router.acquire(this, route != RouteContext.Route.PRIMARY && toReplica);
    try {
      replayState(c);
      if (onReplica && readOnly == null && !node.lendsReadOnly(true)) {
        c.setReadOnly(true);
      }
    } catch (SQLException | RuntimeException e) {
      if (restorePooledState(c)) {
        router.release(node, onReplica, c);
      } else {
        router.evict(node, onReplica, c);
      }
      node = null;
      causal = null;
      throw e;
    }
    target = c;
    if (causal != null && !onReplica) {
      causal.opened(this);
    }
    return c;
  }

  /** Called by the router with the node whose physical connection it is about to return. */
  void lentBy(Node lender, boolean asReplica, RouteContext.Causal scope) {
    node = lender;
    onReplica = asReplica;
    causal = scope;
  }

  /**
   * Whether this connection is bound to the primary in auto-commit mode: its statements may
   * have committed without a call that captures a token.
   */
  boolean autoCommittingOnPrimary() {
    try {
      return target != null && !onReplica && target.getAutoCommit();
    } catch (SQLException e) {
      return true;
    }
  }

  /**
   * Sets what was set before the first statement. Read-only and auto-commit equal to the pooled
   * connection's (its pool resets both to its configuration at every return) are not set again:
   * HikariCP would count the connection as changed and reset it when it comes back.
   */
  private void replayState(Connection c) throws SQLException {
    if (readOnly != null && !node.lendsReadOnly(readOnly)) {
      c.setReadOnly(readOnly);
    }
    if (autoCommit != null && !node.lendsAutoCommit(autoCommit)) {
      c.setAutoCommit(autoCommit);
    }
    if (isolation != -1) {
      c.setTransactionIsolation(isolation);
    }
    if (catalog != null) {
      c.setCatalog(catalog);
    }
    if (schema != null) {
      c.setSchema(schema);
    }
    if (holdability != -1) {
      rememberHoldability(c);
      c.setHoldability(holdability);
    }
    if (typeMap != null) {
      c.setTypeMap(typeMap);
    }
    if (clientInfo != null) {
      rememberClientInfo(c);
      touchedClientInfo().addAll(clientInfo.stringPropertyNames());
      c.setClientInfo(clientInfo);
    }
    if (networkTimeout != -1) {
      c.setNetworkTimeout(networkExecutor, networkTimeout);
    } else if (!node.networkTimeoutPreset()) {
      router.applyNetworkTimeout(c);
    }
  }

  /** The node this connection is bound to, or null before its first statement. */
  Node node() {
    return node;
  }

  /** Whether the node this connection is bound to lent it as a replica. */
  boolean onReplica() {
    return onReplica;
  }

  private void rememberHoldability(Connection c) throws SQLException {
    if (holdabilityToRestore == -1) {
      holdabilityToRestore = c.getHoldability();
    }
  }

  private java.util.Set<String> touchedClientInfo() {
    if (clientInfoTouched == null) {
      clientInfoTouched = new java.util.HashSet<>();
    }
    return clientInfoTouched;
  }

  private void rememberClientInfo(Connection c) throws SQLException {
    if (clientInfoToRestore == null) {
      clientInfoToRestore = c.getClientInfo();
    }
  }

  /**
   * Puts back what the pool does not reset itself: holdability, client info, and after an
   * {@link #unwrap} to the driver's connection auto-commit and read-only. False when that
   * failed: the connection must not be reused.
   */
  private boolean restorePooledState(Connection c) {
    try {
      if (c == null || c.isClosed()) {
        return true;
      }
      if (driverExposed) {
        restoreUntrackedState(c);
      }
      if (holdabilityToRestore != -1) {
        c.setHoldability(holdabilityToRestore);
      }
      if (clientInfoToRestore != null && clientInfoTouched != null) {
        for (String key : clientInfoTouched) {
          // "" rather than null, which not every driver takes for "unset"
          c.setClientInfo(key, clientInfoToRestore.getProperty(key, ""));
        }
      }
      return true;
    } catch (SQLException e) {
      return false;
    } finally {
      holdabilityToRestore = -1;
      clientInfoToRestore = null;
      clientInfoTouched = null;
      driverExposed = false;
    }
  }

  /**
   * Puts back auto-commit and read-only a borrower may have changed on the driver's connection,
   * where the pool does not see it, when they differ from the pool's configuration: a later
   * borrow does not set values equal to it (see {@link #replayState}). Work left uncommitted
   * there is rolled back, as the pool does for a transaction left open. Costs two driver reads,
   * only after such an {@code unwrap}.
   */
  private void restoreUntrackedState(Connection c) throws SQLException {
    boolean autoCommitNow = c.getAutoCommit();
    if (node.lendsAutoCommit(!autoCommitNow)) {
      if (!autoCommitNow) {
        c.rollback();
      }
      c.setAutoCommit(!autoCommitNow);
    }
    boolean readOnlyNow = c.isReadOnly();
    if (node.lendsReadOnly(!readOnlyNow)) {
      c.setReadOnly(!readOnlyNow);
    }
  }

  private void unbind() throws SQLException {
    Connection c = target;
    target = null;
    if (causal != null) {
      causal.closed(this);
    }
    if (restorePooledState(c)) {
      router.release(node, onReplica, c);
    } else {
      router.evict(node, onReplica, c);
    }
    node = null;
    causal = null;
    used = false;
  }

  // ---- state that is recorded before the physical connection exists

  @Override
  public void setReadOnly(boolean value) throws SQLException {
    checkOpen();
    if (target != null && onReplica && !value) {
      if (!getAutoCommit() && used) {
        throw new SQLException(router.name() + " - a transaction on replica " + node.name
            + " cannot become read-write; call setReadOnly before the first statement", "25006");
      }
      readOnly = Boolean.FALSE;
      unbind();
      return;
    }
    readOnly = value;
    if (target != null) {
      target.setReadOnly(value);
    }
  }

  @Override
  public boolean isReadOnly() throws SQLException {
    checkOpen();
    return target != null ? target.isReadOnly() : Boolean.TRUE.equals(readOnly);
  }

  @Override
  public void setAutoCommit(boolean value) throws SQLException {
    checkOpen();
    autoCommit = value;
    if (target != null) {
      target.setAutoCommit(value);
      if (value) {
        captureToken();
      }
    }
  }

  @Override
  public boolean getAutoCommit() throws SQLException {
    checkOpen();
    return target != null ? target.getAutoCommit()
        : autoCommit != null ? autoCommit : router.defaultAutoCommit();
  }

  @Override
  public void setTransactionIsolation(int level) throws SQLException {
    checkOpen();
    isolation = level;
    if (target != null) {
      target.setTransactionIsolation(level);
    }
  }

  @Override
  public int getTransactionIsolation() throws SQLException {
    checkOpen();
    return isolation != -1 && target == null ? isolation : target().getTransactionIsolation();
  }

  @Override
  public void setCatalog(String value) throws SQLException {
    checkOpen();
    catalog = value;
    if (target != null) {
      target.setCatalog(value);
    }
  }

  @Override
  public String getCatalog() throws SQLException {
    checkOpen();
    return catalog != null && target == null ? catalog : target().getCatalog();
  }

  @Override
  public void setSchema(String value) throws SQLException {
    checkOpen();
    schema = value;
    if (target != null) {
      target.setSchema(value);
    }
  }

  @Override
  public String getSchema() throws SQLException {
    checkOpen();
    return schema != null && target == null ? schema : target().getSchema();
  }

  @Override
  public void setHoldability(int value) throws SQLException {
    checkOpen();
    holdability = value;
    if (target != null) {
      rememberHoldability(target);
      target.setHoldability(value);
    }
  }

  @Override
  public int getHoldability() throws SQLException {
    checkOpen();
    return holdability != -1 && target == null ? holdability : target().getHoldability();
  }

  @Override
  public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
    checkOpen();
    typeMap = new LinkedHashMap<>(map);
    if (target != null) {
      target.setTypeMap(map);
    }
  }

  @Override
  public Map<String, Class<?>> getTypeMap() throws SQLException {
    checkOpen();
    return typeMap != null && target == null ? new LinkedHashMap<>(typeMap) : target().getTypeMap();
  }

  @Override
  public void setClientInfo(String name, String value) throws SQLClientInfoException {
    checkOpenForClientInfo();
    if (target != null) {
      rememberClientInfoOf(target);
      touchedClientInfo().add(name);
      target.setClientInfo(name, value);
      return;
    }
    if (clientInfo == null) {
      clientInfo = new Properties();
    }
    if (value == null) {
      clientInfo.remove(name);
    } else {
      clientInfo.setProperty(name, value);
    }
  }

  @Override
  public void setClientInfo(Properties properties) throws SQLClientInfoException {
    checkOpenForClientInfo();
    if (target != null) {
      rememberClientInfoOf(target);
      touchedClientInfo().addAll(properties.stringPropertyNames());
      target.setClientInfo(properties);
      return;
    }
    clientInfo = new Properties();
    clientInfo.putAll(properties);
  }

  @Override
  public String getClientInfo(String name) throws SQLException {
    checkOpen();
    return clientInfo != null && target == null ? clientInfo.getProperty(name) : target().getClientInfo(name);
  }

  @Override
  public Properties getClientInfo() throws SQLException {
    checkOpen();
    if (clientInfo != null && target == null) {
      Properties copy = new Properties();
      copy.putAll(clientInfo);
      return copy;
    }
    return target().getClientInfo();
  }

  @Override
  public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
    checkOpen();
    if (milliseconds < 0) {
      throw new SQLException("network timeout must be >= 0 but was " + milliseconds);
    }
    networkExecutor = executor;
    networkTimeout = milliseconds;
    if (target != null) {
      target.setNetworkTimeout(executor, milliseconds);
    }
  }

  @Override
  public int getNetworkTimeout() throws SQLException {
    checkOpen();
    return networkTimeout != -1 && target == null ? networkTimeout : target().getNetworkTimeout();
  }

  // ---- transaction end: nothing to do before the first statement

  @Override
  public void commit() throws SQLException {
    checkOpen();
    if (target != null) {
      target.commit();
      used = false;
      captureToken();
    }
  }

  @Override
  public void rollback() throws SQLException {
    checkOpen();
    if (target != null) {
      target.rollback();
      used = false;
    }
  }

  private void captureToken() throws SQLException {
    if (causal != null && !onReplica) {
      causal.advance(new CausalToken(node.dialect.commitPosition(target)));
    }
  }

  @Override
  public void close() throws SQLException {
    if (closed) {
      return;
    }
    closed = true;
    if (target != null) {
      try {
        if (causal != null && !target.isClosed() && target.getAutoCommit()) {
          captureToken();
        }
      } finally {
        unbind();
      }
    }
  }

  @Override
  public boolean isClosed() throws SQLException {
    return closed || target != null && target.isClosed();
  }

  @Override
  public void abort(Executor executor) throws SQLException {
    closed = true;
    if (target != null) {
      Connection c = target;
      target = null;
      if (causal != null) {
        causal.closed(this);
      }
      node.returned(c);
      c.abort(executor);
      router.release(node, onReplica, null);
    }
  }

  @Override
  public boolean isValid(int timeout) throws SQLException {
    if (timeout < 0) {
      throw new SQLException("timeout must be >= 0 but was " + timeout);
    }
    return !closed && (target == null || target.isValid(timeout));
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    checkOpen();
    return target == null ? null : target.getWarnings();
  }

  @Override
  public void clearWarnings() throws SQLException {
    checkOpen();
    if (target != null) {
      target.clearWarnings();
    }
  }

  private void checkOpenForClientInfo() throws SQLClientInfoException {
    if (closed) {
      throw new SQLClientInfoException(router.name() + " - connection is closed", "08003", Map.of());
    }
  }

  private void rememberClientInfoOf(Connection c) throws SQLClientInfoException {
    try {
      rememberClientInfo(c);
    } catch (SQLClientInfoException e) {
      throw e;
    } catch (SQLException e) {
      throw new SQLClientInfoException(e.getMessage(), e.getSQLState(), Map.of(), e);
    }
  }

  private void checkOpen() throws SQLException {
    if (closed) {
      throw new SQLException(router.name() + " - connection is closed", "08003");
    }
  }

  // ---- everything else needs the physical connection

  @Override
  public Statement createStatement() throws SQLException {
    return target().createStatement();
  }

  @Override
  public Statement createStatement(int type, int concurrency) throws SQLException {
    return target().createStatement(type, concurrency);
  }

  @Override
  public Statement createStatement(int type, int concurrency, int holdability) throws SQLException {
    return target().createStatement(type, concurrency, holdability);
  }

  @Override
  public PreparedStatement prepareStatement(String sql) throws SQLException {
    return target().prepareStatement(sql);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
    return target().prepareStatement(sql, autoGeneratedKeys);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
    return target().prepareStatement(sql, columnIndexes);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
    return target().prepareStatement(sql, columnNames);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int type, int concurrency) throws SQLException {
    return target().prepareStatement(sql, type, concurrency);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int type, int concurrency, int holdability)
      throws SQLException {
    return target().prepareStatement(sql, type, concurrency, holdability);
  }

  @Override
  public CallableStatement prepareCall(String sql) throws SQLException {
    return target().prepareCall(sql);
  }

  @Override
  public CallableStatement prepareCall(String sql, int type, int concurrency) throws SQLException {
    return target().prepareCall(sql, type, concurrency);
  }

  @Override
  public CallableStatement prepareCall(String sql, int type, int concurrency, int holdability)
      throws SQLException {
    return target().prepareCall(sql, type, concurrency, holdability);
  }

  @Override
  public String nativeSQL(String sql) throws SQLException {
    return target().nativeSQL(sql);
  }

  @Override
  public DatabaseMetaData getMetaData() throws SQLException {
    return target().getMetaData();
  }

  @Override
  public Savepoint setSavepoint() throws SQLException {
    return target().setSavepoint();
  }

  @Override
  public Savepoint setSavepoint(String name) throws SQLException {
    return target().setSavepoint(name);
  }

  @Override
  public void rollback(Savepoint savepoint) throws SQLException {
    target().rollback(savepoint);
  }

  @Override
  public void releaseSavepoint(Savepoint savepoint) throws SQLException {
    target().releaseSavepoint(savepoint);
  }

  @Override
  public Clob createClob() throws SQLException {
    return target().createClob();
  }

  @Override
  public Blob createBlob() throws SQLException {
    return target().createBlob();
  }

  @Override
  public NClob createNClob() throws SQLException {
    return target().createNClob();
  }

  @Override
  public SQLXML createSQLXML() throws SQLException {
    return target().createSQLXML();
  }

  @Override
  public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
    return target().createArrayOf(typeName, elements);
  }

  @Override
  public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
    return target().createStruct(typeName, attributes);
  }

  /** This connection, or the pool's or driver's connection (which takes a physical connection). */
  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    Connection c = target();
    if (iface.isInstance(c)) {
      return iface.cast(c);
    }
    T unwrapped = c.unwrap(iface);
    driverExposed = true;
    return unwrapped;
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return true;
    }
    Connection c = target();
    return iface.isInstance(c) || c.isWrapperFor(iface);
  }

  @Override
  public String toString() {
    return router.name() + " connection " + (node == null ? "(not bound)" : "on " + node.name);
  }
}
