package io.scaleblocks.replication;

/**
 * A routing scope opened on the calling thread by {@link ReplicationDataSource#readOnlyScope()},
 * {@link ReplicationDataSource#primaryScope()} or {@link ReplicationDataSource#causalScope()}.
 * Scopes nest; closing one restores what the enclosing one said. A read-only or primary scope
 * decides for the connections obtained ({@code getConnection()}) inside it; a causal scope for
 * those that take their first physical connection inside it. Close it on the thread that opened
 * it, in reverse order of opening (try-with-resources does both). A read-only or primary scope
 * closed on another thread ends all the same, then throws {@link IllegalStateException}. Not
 * thread-safe.
 */
public interface Scope extends AutoCloseable {

  /** Ends the scope. */
  @Override
  void close();
}
