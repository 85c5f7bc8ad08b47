package io.scaleblocks.replication;

/**
 * A routing scope opened on the calling thread by {@link ReplicationDataSource#readOnlyScope()},
 * {@link ReplicationDataSource#primaryScope()} or {@link ReplicationDataSource#causalScope()}.
 * Scopes nest; closing one restores what the enclosing one said. A scope decides where a
 * connection goes when the connection takes its first physical connection, so it must enclose
 * the first statement. Close it on the thread that opened it, in reverse order of opening
 * (try-with-resources does both). Not thread-safe.
 */
public interface Scope extends AutoCloseable {

  /** Ends the scope. */
  @Override
  void close();
}
