package io.scaleblocks.replication;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A dialect whose answers the test sets per node (found by the H2 database's own name). */
final class ScriptedDialect implements Dialect {

  private final Map<String, Probe> probes = new ConcurrentHashMap<>();
  private final Set<String> failing = ConcurrentHashMap.newKeySet();
  private final Map<String, Runnable> duringProbe = new ConcurrentHashMap<>();

  void primary(String node, long position, long timeline) {
    probes.put(node, new Probe(false, position, Optional.empty(), timeline));
  }

  void replica(String node, long replayed, long timeline) {
    probes.put(node, new Probe(true, replayed, Optional.of(Instant.EPOCH), timeline));
  }

  void fail(String node) {
    failing.add(node);
  }

  void heal(String node) {
    failing.remove(node);
  }

  /** Runs {@code action} inside every probe of {@code node} (a probe that takes time). */
  void duringProbe(String node, Runnable action) {
    duringProbe.put(node, action);
  }

  @Override
  public boolean inspectsReplication() {
    return true;
  }

  @Override
  public Probe probe(Connection connection) throws SQLException {
    String node = H2Nodes.whoami(connection);
    duringProbe.getOrDefault(node, () -> { }).run();
    if (failing.contains(node)) {
      throw new SQLException(node + " refused the connection", "08001");
    }
    Probe probe = probes.get(node);
    if (probe == null) {
      throw new SQLException("no probe scripted for " + node);
    }
    return probe;
  }

  @Override
  public long commitPosition(Connection connection) throws SQLException {
    return probe(connection).position();
  }

  @Override
  public long replayPosition(Connection connection) throws SQLException {
    return probe(connection).position();
  }
}
