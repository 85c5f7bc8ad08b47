package io.scaleblocks.session;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/** A store made to fail like an unreachable one while {@code down} is set. */
public final class OutageStore implements SessionStore {
  private final SessionStore target;
  private final AtomicBoolean down;
  /** Runs at the start of every save, to let a test interleave another request's write. */
  public volatile Runnable beforeSave = () -> { };
  /** Runs at the start of every changeId, to let a test interleave another request's rotation. */
  public volatile Runnable beforeChangeId = () -> { };

  public OutageStore(SessionStore target, AtomicBoolean down) {
    this.target = target;
    this.down = down;
  }

  private void check() {
    if (down.get()) {
      throw new SessionStoreException("outage - store unreachable", new java.io.IOException("connection refused"));
    }
  }

  @Override public String name() {
    return target.name();
  }

  @Override public Session create() {
    return target.create();
  }

  @Override public Optional<Session> find(String id) {
    check();
    return target.find(id);
  }

  @Override public void save(Session session) {
    check();
    beforeSave.run();
    target.save(session);
  }

  @Override public boolean touch(String id) {
    check();
    return target.touch(id);
  }

  @Override public void delete(String id) {
    check();
    target.delete(id);
  }

  @Override public void changeId(Session session) {
    check();
    beforeChangeId.run();
    target.changeId(session);
  }

  @Override public boolean supportsPrincipalIndex() {
    return target.supportsPrincipalIndex();
  }

  @Override public List<String> findIdsByPrincipal(String principal) {
    check();
    return target.findIdsByPrincipal(principal);
  }

  @Override public OptionalLong activeSessions() {
    return target.activeSessions();
  }

  @Override public SessionStoreStats stats() {
    return target.stats();
  }

  @Override public void latencyListener(LatencyListener listener) {
    target.latencyListener(listener);
  }

  @Override public void close() {
    target.close();
  }
}
