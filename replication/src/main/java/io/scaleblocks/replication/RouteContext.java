package io.scaleblocks.replication;

import java.util.Optional;

/** The routing scopes open on one thread. Confined to that thread. */
final class RouteContext {

  int primaryDepth;
  int readOnlyDepth;
  Causal causal;

  /** A {@link CausalScope}: its token grows with each commit captured inside it. */
  static final class Causal implements CausalScope {
    private final RouteContext context;
    private final Causal parent;
    private final Thread owner = Thread.currentThread();
    private CausalToken token;
    private boolean closed;

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
    private boolean closed;

    Counted(RouteContext context, boolean primary) {
      this.context = context;
      this.primary = primary;
      if (primary) {
        context.primaryDepth++;
      } else {
        context.readOnlyDepth++;
      }
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      if (Thread.currentThread() != owner) {
        throw new IllegalStateException("a scope must be closed on the thread that opened it");
      }
      closed = true;
      if (primary) {
        context.primaryDepth--;
      } else {
        context.readOnlyDepth--;
      }
    }
  }
}
