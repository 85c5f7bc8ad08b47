package io.scaleblocks.session.internal;

import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionConflictException;
import io.scaleblocks.session.SessionIds;
import io.scaleblocks.session.SessionStore.LatencyListener;
import io.scaleblocks.session.SessionStoreConfig;
import io.scaleblocks.session.SessionStoreStats;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of the store protocol that every store shares, so the stores differ only in how they
 * read and write: new sessions, the id check before any lookup, the save steps around a store's
 * write, the counters and the latency listener. Thread-safe.
 */
public final class StoreCore {

  private static final Logger LOG = LoggerFactory.getLogger(StoreCore.class);
  private static final int MAX_FOREIGN_ID_LENGTH = 256;
  private static final int MAX_ID_ATTEMPTS = 3;
  private static final LatencyListener NONE = (operation, nanos, failed) -> { };

  private final SessionStoreConfig config;
  private final SessionIds ids;
  private final Clock clock;
  private final LongAdder created = new LongAdder();
  private final LongAdder expired = new LongAdder();
  private final LongAdder deleted = new LongAdder();
  private final LongAdder rotations = new LongAdder();
  private final LongAdder conflicts = new LongAdder();
  private final LongAdder malformed = new LongAdder();
  private volatile LatencyListener listener = NONE;

  public StoreCore(SessionStoreConfig config, SessionIds ids, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.ids = ids == null ? SessionIds.secure(config.idBits()) : ids;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public String name() {
    return config.name();
  }

  public SessionStoreConfig config() {
    return config;
  }

  public SessionIds ids() {
    return ids;
  }

  public long now() {
    return clock.millis();
  }

  public Session create() {
    long now = now();
    long renewal = config.renewalTimeout().map(d -> d.toMillis()).orElse(0L);
    return SessionAccess.freshOf(new SessionRecord(ids.next(), now, now, now, config.idleTimeout().toMillis(),
        config.absoluteTimeout().toMillis(), renewal, null, Map.of(), 0));
  }

  /** Whether a find may ask the store about {@code id}: strict ids must have this store's shape. */
  public boolean acceptable(String id) {
    if (id == null) {
      return false;
    }
    boolean ok = config.strictIds() ? ids.isWellFormed(id) : isForeignId(id);
    if (!ok) {
      malformed.increment();
    }
    return ok;
  }

  private static boolean isForeignId(String id) {
    if (id.isEmpty() || id.length() > MAX_FOREIGN_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      if (!IdAlphabet.isForeignIdChar(id.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Saves through {@code write}: nothing when the handle has no changes; a new session whose
   * deadline passed before its first save is refused as gone; a new id when a new session's id is
   * taken; the handle updated when the write applied; an exception otherwise.
   */
  public void save(Session session, BiFunction<Session, Delta, SaveOutcome> write) {
    Objects.requireNonNull(session, "session");
    for (int attempt = 1; ; attempt++) {
      Delta delta = SessionAccess.deltaOf(session, now());
      if (delta == null) {
        return;
      }
      if (delta.isNew() && delta.created().isExpired(delta.now())) {
        // its renewal or absolute deadline passed before its first save: it would be stored dead
        throw gone(delta.id());
      }
      SaveOutcome outcome = listener == NONE ? write.apply(session, delta) : timed("save", () -> write.apply(session, delta));
      if (outcome instanceof SaveOutcome.Saved saved) {
        SessionAccess.markSaved(session, delta, saved);
        if (delta.isNew()) {
          created.increment();
        }
        return;
      }
      if (outcome instanceof SaveOutcome.IdTaken && attempt < MAX_ID_ATTEMPTS) {
        LOG.warn("{} - a new session's id was taken; drawing another", name());
        SessionAccess.giveId(session, ids.next());
        continue;
      }
      conflicts.increment();
      if (outcome instanceof SaveOutcome.Conflict conflict) {
        throw new SessionConflictException(delta.id(), SessionConflictException.Reason.ATTRIBUTE_CHANGED,
            conflict.attributes());
      }
      throw new SessionConflictException(delta.id(), SessionConflictException.Reason.SESSION_GONE, List.of());
    }
  }

  /** The id a rotation gives {@code session}: fresh random bits, the same routing tag. */
  public String nextIdFor(Session session) {
    return ids.nextKeepingTag(session.id());
  }

  /** Runs a store call, reporting its duration to the latency listener when one is set. */
  public <T> T timed(String operation, Supplier<T> call) {
    LatencyListener current = listener;
    if (current == NONE) {
      return call.get();
    }
    long start = System.nanoTime();
    boolean failed = true;
    try {
      T result = call.get();
      failed = false;
      return result;
    } finally {
      long nanos = System.nanoTime() - start;
      try {
        current.record(operation, nanos, failed);
      } catch (RuntimeException | Error e) {
        if (e instanceof VirtualMachineError fatal) {
          throw fatal;
        }
        // a listener's failure (a linkage error of a metrics library, say) must not become the call's
        LOG.warn("{} - latency listener failed", name(), e);
      }
    }
  }

  /** Whether a latency listener is set, so a hot path can skip building the call {@link #timed} takes. */
  public boolean isTimed() {
    return listener != NONE;
  }

  public void latencyListener(LatencyListener listener) {
    this.listener = listener == null ? NONE : listener;
  }

  public void countExpired(long n) {
    expired.add(n);
  }

  public void countDeleted() {
    deleted.increment();
  }

  public void countRotation() {
    rotations.increment();
  }

  public SessionStoreStats stats() {
    return new SessionStoreStats(created.sum(), expired.sum(), deleted.sum(), rotations.sum(), conflicts.sum(),
        malformed.sum());
  }

  public SessionConflictException gone(String id) {
    conflicts.increment();
    return new SessionConflictException(id, SessionConflictException.Reason.SESSION_GONE, List.of());
  }
}
