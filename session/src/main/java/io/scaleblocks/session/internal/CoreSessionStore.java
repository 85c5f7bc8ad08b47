package io.scaleblocks.session.internal;

import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStoreStats;

/**
 * What every store answers from its {@link StoreCore} alone: its name, new sessions, its counts
 * and its latency listener. The stores extend it and implement the reads and writes.
 */
public abstract class CoreSessionStore implements SessionStore {

  protected final StoreCore core;

  protected CoreSessionStore(StoreCore core) {
    this.core = core;
  }

  @Override
  public final String name() {
    return core.name();
  }

  @Override
  public final Session create() {
    return core.create();
  }

  @Override
  public SessionStoreStats stats() {
    return core.stats();
  }

  @Override
  public final void latencyListener(LatencyListener listener) {
    core.latencyListener(listener);
  }
}
