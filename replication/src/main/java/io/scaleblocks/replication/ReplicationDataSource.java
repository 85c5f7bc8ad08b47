package io.scaleblocks.replication;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.scaleblocks.lb.LoadBalancerListener;
import java.io.Closeable;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A {@link DataSource} over one primary and any number of streaming replicas that sends writes
 * to the primary and reads to the replicas.
 *
 * <p><b>Routing.</b> {@link #getConnection()} returns a lazy connection: it takes a physical
 * connection from a node's pool only when the first statement, {@code getMetaData}, {@code
 * unwrap} or another call needs one, and replays on it what was set before (read-only,
 * auto-commit, isolation, schema, catalog, client info, network timeout, holdability). At that
 * moment it chooses, in this order: a {@link #primaryScope()} open at {@code getConnection()} →
 * the primary; a connection set read-only → a replica; a {@link #readOnlyScope()} open at
 * {@code getConnection()} → a replica for a connection in auto-commit mode (it is set read-only
 * there), never for a transaction not set read-only; anything else → the primary. So a
 * read-write transaction runs entirely on the primary, and a framework that calls
 * {@code setReadOnly(true)} after {@code getConnection()} (Spring's transaction manager) still
 * routes to a replica. The choice holds for the connection's life, except that
 * {@code setReadOnly(false)} on a replica connection in auto-commit mode, or in a transaction
 * with no statement since its last commit or rollback, returns it and the next statement goes
 * to the primary. Each physical connection gets {@code networkTimeout} unless the connection set
 * its own; holdability and client info are put back when it returns to its pool. Statements and
 * result sets are the pool's own.
 *
 * <p><b>Replicas</b> are chosen by an {@code lb} strategy over those in rotation. If the chosen
 * one cannot give a connection, the others are tried, then the primary ({@link ReadFallback}).
 * A monitor probes every node each {@code healthInterval}: a replica that is down or lags more
 * than {@code maxLagBytes}/{@code maxLag} leaves rotation and returns when it recovers.
 *
 * <p><b>Primary.</b> Writes go to the one node that is not in recovery; with several (split
 * brain), to the one on the newest timeline, and the others are {@link NodeState#FENCED}. The
 * router never moves back to an older timeline than it has seen. While no primary is known,
 * a write fails at once with an {@link SQLException} naming the nodes; a write that needs a new
 * pooled connection from a primary that failed unnoticed fails within {@code connectTimeout}.
 * When a node goes down (a probe failed or timed out, a connection to it failed), the
 * connections in use on it are aborted, so a statement blocked on a hung node fails then; else
 * at {@code networkTimeout}.
 *
 * <p><b>Read-your-writes.</b> Inside a {@link #causalScope()}, each commit on the primary
 * advances the scope's {@link CausalToken}; a read-only connection in the scope goes to a replica
 * that has replayed up to the token, waits up to {@code causalWait} for one, else reads the
 * primary. Commits are captured at {@code commit()}, {@code setAutoCommit(true)} and the close
 * of an auto-commit connection; while a connection of the scope is open on the primary in
 * auto-commit mode, each read in the scope first takes the primary's current position (one
 * query on a primary connection), as its statements committed unseen. Capturing after each
 * statement instead would cost a query per write and need wrapped statements. A token ahead of
 * the primary's position (checked once, when no replica has reached it) is ignored with a
 * warning rather than waited for.
 *
 * <p>Thread-safe. Scopes are per thread. {@link #close()} stops the monitor and closes the pools
 * the router built (not DataSources the user passed).
 */
public interface ReplicationDataSource extends DataSource, Closeable {

  /** A router over the nodes of {@code config}; it starts probing them at once. */
  static ReplicationDataSource create(ReplicationConfig config) {
    return RoutingDataSource.start(config);
  }

  /** {@link #create} from {@link ReplicationConfig#from(Map)} settings. */
  static ReplicationDataSource fromSettings(Map<String, ?> settings) {
    return create(ReplicationConfig.from(settings));
  }

  /** The name used in logs, metrics and exceptions. */
  String name();

  /** Runs {@code work} in a {@link #readOnlyScope()}. */
  <T> T readOnly(SqlWork<T> work) throws SQLException;

  /** Runs {@code work} in a {@link #primaryScope()}. */
  <T> T onPrimary(SqlWork<T> work) throws SQLException;

  /**
   * Connections obtained in this scope go to a replica, set read-only, unless they start a
   * transaction without {@code setReadOnly(true)} (those go to the primary).
   */
  Scope readOnlyScope();

  /** Connections obtained in this scope go to the primary, whatever else says. */
  Scope primaryScope();

  /** A read-your-writes scope that starts with no token (it captures one at each commit). */
  CausalScope causalScope();

  /** A read-your-writes scope that starts from {@code token}, for example one another service passed. */
  CausalScope causalScope(CausalToken token);

  /**
   * The token of everything committed on the primary so far: the primary's current log
   * position (one query). A token taken after a commit returns covers that commit.
   */
  CausalToken currentToken() throws SQLException;

  /** Every node, primary first, then the replicas in configured order. */
  List<NodeStatus> status();

  /** The node writes go to now, if there is one. */
  Optional<NodeStatus> primary();

  /** How many connections each node has served (by node name), since the start. */
  Map<String, Long> connectionsServed();

  /**
   * How many connections {@code node} has served in {@code role}: as the primary (writes, and
   * reads that fell back) or as a replica, since the start; 0 for an unknown node.
   */
  long connectionsServed(String node, Role role);

  /**
   * Sends the metrics of every pool the router built (and of pools that replace them after a
   * node's restart) to {@code factory}, for example HikariCP's
   * {@code MicrometerMetricsTrackerFactory}. Once per router; pools the user passed are theirs.
   */
  void trackPools(MetricsTrackerFactory factory);

  /** Probes every node now and applies the result (the monitor does this every interval). */
  void refresh();

  void addListener(ReplicationListener listener);

  /** Observes replica picks of the underlying {@code lb} balancer. */
  void addBalancerListener(LoadBalancerListener<String> listener);

  /** Stops the monitor and closes the pools the router built. */
  @Override
  void close();
}
