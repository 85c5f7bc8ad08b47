package io.scaleblocks.replication;

import java.util.Optional;

/**
 * The routing scopes open on one thread. Used by that thread, except that a scope closed on
 * another thread still ends here (its depth changed under this object's lock) before the close
 * throws.
 */
final class RouteContext {

  /** Where the scopes open when a connection is obtained send it. */
  enum Route { NONE, READ_ONLY, PRIMARY }

  // Changed under this object's lock, read without it: a connection's route costs two reads.
  private volatile int primaryDepth;
  private volatile int readOnlyDepth;
  Causal causal;

  Route route() {
    return primaryDepth > 0 ? Route.PRIMARY : readOnlyDepth > 0 ? Route.READ_ONLY : Route.NONE;
  }

  private synchronized void enter(boolean primary) {
    if (primary) {
      primaryDepth++;
    } else {
      readOnlyDepth++;
    }
  }

  private synchronized void leave(boolean primary) {
    if (primary) {
      primaryDepth--;
    } else {
      readOnlyDepth--;
    }
  }

  /** A {@link CausalScope}: its token grows with each commit captured inside it. */
  static final class Causal implements CausalScope {
    private final RouteContext context;
    private final Causal parent;
    private final Thread owner = Thread.currentThread();
    private CausalToken token;
    private boolean closed;
    /** Connections bound to the primary in this scope and still open. */
    private final java.util.Set<LazyConnection> onPrimary =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    Causal(RouteContext context, CausalToken token) {
      this.context = context;
      this.parent = context.causal;
      this.token = token;
      context.causal = this;
    }

    void advance(CausalToken seen) {
      token = token == null ? seen : token.max(seen);
    }

    CausalToken tokenOrNull() {
      return token;
    }

    void opened(LazyConnection connection) {
      onPrimary.add(connection);
    }

    void closed(LazyConnection connection) {
      onPrimary.remove(connection);
    }

    /**
     * Whether a connection of this scope is still open on the primary in auto-commit mode: its
     * statements committed, but nothing captured their position yet.
     */
    boolean hasUncapturedCommits() {
      for (LazyConnection connection : onPrimary) {
        if (connection.autoCommittingOnPrimary()) {
          return true;
        }
      }
      return false;
    }

    @Override
    public Optional<CausalToken> token() {
      return Optional.ofNullable(token);
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      if (Thread.currentThread() != owner || context.causal != this) {
        throw new IllegalStateException("causal scopes must be closed on their thread, innermost first");
      }
      closed = true;
      context.causal = parent;
      if (parent != null && token != null) {
        parent.advance(token);
      }
    }
  }

  /** A read-only or primary scope. */
  static final class Counted implements Scope {
    private final RouteContext context;
    private final boolean primary;
    private final Thread owner = Thread.currentThread();
    private volatile boolean closed;

    Counted(RouteContext context, boolean primary) {
      this.context = context;
      this.primary = primary;
      context.enter(primary);
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      context.leave(primary);
      if (Thread.currentThread() != owner) {
        // Ended all the same, so that the opening thread does not route by it forever.
        throw new IllegalStateException("a scope must be closed on the thread that opened it ("
            + owner.getName() + "); it is closed now, but close it there");
      }
    }
  }
}
