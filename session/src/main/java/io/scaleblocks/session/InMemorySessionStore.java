package io.scaleblocks.session;

import io.scaleblocks.session.internal.AttributeMap;
import io.scaleblocks.session.internal.CoreSessionStore;
import io.scaleblocks.session.internal.Delta;
import io.scaleblocks.session.internal.SaveOutcome;
import io.scaleblocks.session.internal.SessionAccess;
import io.scaleblocks.session.internal.SessionRecord;
import io.scaleblocks.session.internal.SessionRecord.StoredAttribute;
import io.scaleblocks.session.internal.StoreCore;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions in a {@link ConcurrentHashMap} of slots, one per session, each holding an immutable
 * {@link SessionRecord} that is replaced whole by a compare-and-set on the slot: a find, touch or
 * save reads the record and replaces exactly the record it read (reading again when another call
 * replaced it first), so a find, a save and a touch of one session are linearizable and a save is
 * all or nothing. A slot whose session was removed or rotated away holds {@link #GONE} for good;
 * every change to {@code GONE} happens inside a compute of the map that also removes the slot, so
 * inside a compute a slot in the map is never gone, and outside one a gone slot reads as absent.
 * A create, a save that changes the principal and every removal run in one compute.
 *
 * <p>Expiry is on the injected clock. A call never returns or writes a session past its deadline:
 * it removes it instead. Sessions nobody asks for are removed by a sweep every
 * {@link #SWEEP_MILLIS} ms on a shared daemon thread ({@code scaleblocks-session-expiry}, which
 * ends {@link Sweeper#IDLE_SECONDS} s after the last store is closed or collected), which looks
 * only at the sessions filed in {@link ExpiryBuckets} under a deadline that has passed;
 * {@link #activeSessions()} and {@link #stats()} sweep first (one sweep at a time, so they wait
 * for a background sweep still removing), so what they report is exact. The hot path (find, set,
 * save) has no lock (the rotation guard is an optimistic read), no expiry bookkeeping, one map
 * lookup (a found handle keeps its slot, so its save goes straight to it), one copy of the
 * attribute map (the new record's, in a save with changes) and one clock read per call.
 *
 * <p>{@code changeId} empties the slot under the old id and puts a new slot under the new id while
 * it holds the write side of a lock striped by the ids' shared tag; a find, touch or delete that
 * overlapped a rotation sees it (an optimistic read fails validation) and runs again after it,
 * so no caller sees both ids or neither. Saves need no lock: a save lands before the rotation
 * empties the old slot, and moves with the record, or finds the old slot gone. A rotation whose
 * new id is taken is refused before it empties the old slot (only a create that draws the same id
 * during the rotation makes it take the session out and put it back).
 *
 * <p>The principal index maps a principal to its ids, updated inside the same computes (an
 * expired session leaves it when it is removed) and checked against the live records on every
 * read. A read holds the read side of every stripe, so no rotation is half done while it runs (it
 * would otherwise see the old id gone and miss the new one): rotations wait for it, finds do not.
 *
 * <p>After {@link #close()} {@code find}, {@code touch}, {@code save}, {@code delete}, {@code
 * changeId}, {@code findIdsByPrincipal} and {@code deleteByPrincipal} throw {@link
 * SessionStoreException} naming the store: it is empty and no longer swept, so a session saved
 * into it would never expire. {@link #create()} (which writes nothing), {@link #stats()}, {@link
 * #activeSessions()} (0), {@code name}, {@code supportsPrincipalIndex}, {@code latencyListener}
 * and {@code close} still answer. A call already past its check when the store closes may still
 * write into it.
 */
final class InMemorySessionStore extends CoreSessionStore {

  private static final Logger LOG = LoggerFactory.getLogger(InMemorySessionStore.class);
  private static final int STRIPES = 64;
  /** How often sessions nobody asks for are removed, and the width of the expiry buckets. */
  static final long SWEEP_MILLIS = 1_000;
  /**
   * The sweep drops the keys filed for gone sessions (deleted, rotated away) once the filed keys
   * outnumber twice the stored sessions plus this many, so that what the buckets hold stays
   * proportional to the sessions however many are created and deleted within a timeout. Each drop
   * walks every filed key and comes after at least as many new gone keys as there are sessions:
   * about two steps per gone key.
   */
  static final int COMPACTION_SLACK = 1_024;
  /** What a slot holds once its session was removed or rotated away (compared by identity). */
  private static final SessionRecord GONE =
      new SessionRecord("", 0, 0, 0, 0, 0, 0, null, Map.of(), 0);

  private final ConcurrentMap<IdKey, Slot> map = new ConcurrentHashMap<>();
  private final ExpiryBuckets<IdKey> expiries = new ExpiryBuckets<>(SWEEP_MILLIS);
  private final ConcurrentMap<String, Set<IdKey>> principals = new ConcurrentHashMap<>();
  private final StampedLock[] stripes = new StampedLock[STRIPES];
  private final ReentrantLock sweepLock = new ReentrantLock();
  private final ScheduledFuture<?> sweeping;
  private final BiFunction<Session, Delta, SaveOutcome> writer = this::write;
  private final Function<IdKey, Session> finder = this::findOnce;
  private volatile boolean closed;

  InMemorySessionStore(SessionStores.InMemoryBuilder builder) {
    super(new StoreCore(builder.config, builder.ids, builder.clock));
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new StampedLock();
    }
    this.sweeping = Sweeper.schedule(this);
  }

  @Override
  public Optional<Session> find(String id) {
    checkOpen();
    if (!core.acceptable(id)) {
      return Optional.empty();
    }
    IdKey key = new IdKey(id);
    Session found = core.isTimed() ? core.timed("find", () -> guarded(key, finder)) : guarded(key, finder);
    return Optional.ofNullable(found);
  }

  @Override
  public boolean touch(String id) {
    checkOpen();
    if (!core.acceptable(id)) {
      return false;
    }
    IdKey key = new IdKey(id);
    return core.timed("touch", () -> guarded(key, k -> touch(k, core.now()) != null));
  }

  /** The live session under {@code key}, touched, as a handle that keeps its slot. */
  private Session findOnce(IdKey key) {
    Touched found = touch(key, core.now());
    if (found == null) {
      return null;
    }
    Session session = SessionAccess.restoreOf(found.record);
    SessionAccess.attach(session, found.slot);
    return session;
  }

  /** A live session's slot and the record a touch left in it. */
  private record Touched(Slot slot, SessionRecord record) {}

  /**
   * The live session under {@code key}, its last access moved to {@code now}: a quiet read, then a
   * compare-and-set of exactly the record read (read again when another call replaced it first).
   * A record already touched at {@code now} is not written again. Null when there is no live
   * session.
   */
  private Touched touch(IdKey key, long now) {
    Slot slot = map.get(key);
    while (slot != null) {
      SessionRecord r = slot.record;
      if (r == GONE) {
        Slot next = map.get(key);  // the slot is being removed; a new session may hold the id already
        slot = next == slot ? null : next;
        continue;
      }
      if (r.isExpired(now)) {
        removeExpired(key, slot, r);
        return null;
      }
      if (r.lastAccessAt() >= now) {
        return new Touched(slot, r);
      }
      SessionRecord touched = withAccess(r, now, r.id(), r.renewedAt(), r.principal(), r.attributes(), r.seq());
      if (slot.replace(r, touched)) {
        return new Touched(slot, touched);
      }
    }
    return null;
  }

  /**
   * Removes {@code r}, found past its deadline in {@code slot}, and counts it once: whoever
   * removes it counts it.
   *
   * @return false when another call replaced or removed {@code r} first
   */
  private boolean removeExpired(IdKey key, Slot slot, SessionRecord r) {
    boolean[] removed = {false};
    map.computeIfPresent(key, (k, current) -> {
      if (current != slot || !slot.replace(r, GONE)) {
        return current;
      }
      expired(k, r);
      removed[0] = true;
      return null;
    });
    return removed[0];
  }

  /**
   * Removes the sessions filed under a deadline that has passed and files the live ones again
   * under their deadline now, and drops the keys of gone sessions when there are too many (see
   * {@link #COMPACTION_SLACK}). One sweep runs at a time, and a second caller waits for the first
   * to finish: a sweep takes the due keys out of the buckets before it removes their sessions, so
   * a sweep that did not wait would find nothing due while the other one still had expired
   * sessions to remove, and a count taken after it would include them.
   */
  void sweep() {
    sweepLock.lock();
    try {
      sweepDue(core.now());
      if (expiries.size() > 2L * map.size() + COMPACTION_SLACK) {
        // a live session is out of the map only while a failed rotation has it out, and that files it again
        expiries.dropIf(key -> !map.containsKey(key));
      }
    } finally {
      sweepLock.unlock();
    }
  }

  private void sweepDue(long now) {
    for (IdKey key : expiries.takeDue(now)) {
      for (;;) {
        Slot slot = map.get(key);
        SessionRecord r = slot == null ? GONE : slot.record;
        if (r == GONE) {
          break;  // deleted, or rotated away (the new id was filed then), or a new session filed at its create
        }
        if (!r.isExpired(now)) {
          expiries.file(key, r.expiresAt());
          break;
        }
        if (removeExpired(key, slot, r)) {
          break;
        }
      }
    }
  }

  /**
   * Runs a read-like call on {@code key} so that it never overlaps a rotation of the same tag: an
   * optimistic read first, and again under the read lock when a rotation ran meanwhile. A call
   * without captured state ({@link #finder}) costs the hot path no allocation.
   */
  private <T> T guarded(IdKey key, Function<IdKey, T> call) {
    StampedLock lock = stripeOf(key.id);
    long stamp = lock.tryOptimisticRead();
    if (stamp != 0) {
      T result = call.apply(key);
      if (lock.validate(stamp)) {
        return result;
      }
    }
    stamp = lock.readLock();
    try {
      return call.apply(key);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  @Override
  public void save(Session session) {
    checkOpen();
    core.save(session, writer);
  }

  private SaveOutcome write(Session session, Delta delta) {
    if (delta.isNew()) {
      return create(session, new IdKey(delta.id()), delta);
    }
    if (delta.principalChanged()) {
      return writeIndexed(new IdKey(delta.id()), delta);
    }
    Slot slot = slotOf(session, delta.id());
    IdKey key = slot != null ? slot.key : new IdKey(delta.id());
    if (slot == null) {
      slot = map.get(key);
    }
    while (slot != null) {
      SessionRecord r = slot.record;
      if (r == GONE) {
        Slot next = map.get(key);  // rotated away or removed; or back after a refused rotation
        slot = next == slot ? null : next;
        continue;
      }
      if (r.isExpired(delta.now())) {
        removeExpired(key, slot, r);
        return SaveOutcome.GONE;
      }
      List<String> conflicts = conflicts(r, delta);
      if (!conflicts.isEmpty()) {
        return new SaveOutcome.Conflict(conflicts);
      }
      long seq = r.seq() + 1;
      SessionRecord next = applied(r, delta, r.principal(), seq);
      if (slot.replace(r, next)) {
        SessionAccess.attach(session, slot);
        // the new map is the handle's view plus its changes only when nobody changed an attribute meanwhile
        return new SaveOutcome.Saved(seq, r.attributes() == delta.base() ? next.attributes() : null);
      }
    }
    return SaveOutcome.GONE;
  }

  /** The slot this store attached to the handle, when it is still the slot of the handle's id. */
  private Slot slotOf(Session session, String id) {
    return SessionAccess.attachment(session) instanceof Slot slot && slot.owner == this && slot.key.id == id
        ? slot : null;
  }

  private SaveOutcome create(Session session, IdKey key, Delta delta) {
    SaveOutcome[] outcome = {SaveOutcome.GONE};
    Slot created = new Slot(this, key, delta.created());
    map.compute(key, (k, existing) -> {
      while (existing != null) {
        SessionRecord r = existing.record;
        if (!r.isExpired(delta.now())) {
          outcome[0] = new SaveOutcome.IdTaken();
          return existing;
        }
        if (existing.replace(r, GONE)) {
          expired(k, r);
          break;
        }
      }
      index(delta.created().principal(), k);
      outcome[0] = new SaveOutcome.Saved(1);
      return created;
    });
    if (outcome[0] instanceof SaveOutcome.Saved) {
      expiries.file(key, delta.created().expiresAt());
      SessionAccess.attach(session, created);
    }
    return outcome[0];
  }

  /**
   * A save that changes the principal, in one compute, so that the index changes are serialised
   * with the record's change (see {@link #pruneIfStale}).
   */
  private SaveOutcome writeIndexed(IdKey key, Delta delta) {
    SaveOutcome[] outcome = {SaveOutcome.GONE};
    map.computeIfPresent(key, (k, slot) -> {
      for (;;) {
        SessionRecord r = slot.record;
        if (r.isExpired(delta.now())) {
          if (!slot.replace(r, GONE)) {
            continue;
          }
          expired(k, r);
          return null;
        }
        List<String> conflicts = conflicts(r, delta);
        if (!conflicts.isEmpty()) {
          outcome[0] = new SaveOutcome.Conflict(conflicts);
          return slot;
        }
        long seq = r.seq() + 1;
        if (slot.replace(r, applied(r, delta, delta.principal(), seq))) {
          outcome[0] = new SaveOutcome.Saved(seq);
          unindex(r.principal(), k);
          index(delta.principal(), k);
          return slot;
        }
      }
    });
    return outcome[0];
  }

  static List<String> conflicts(SessionRecord r, Delta delta) {
    List<String> conflicts = List.of();
    for (Delta.Change c : delta.changes()) {
      StoredAttribute current = r.attributes().get(c.name());
      long version = current == null ? 0 : current.version();
      if (version != c.expectedVersion()) {
        if (conflicts.isEmpty()) {
          conflicts = new ArrayList<>();
        }
        conflicts.add(c.name());
      }
    }
    return conflicts;
  }

  /** The record with the delta's attribute changes at version {@code seq}, built in one copy. */
  private static SessionRecord applied(SessionRecord r, Delta delta, String principal, long seq) {
    Map<String, StoredAttribute> attributes = r.attributes();
    if (!delta.changes().isEmpty()) {
      attributes = AttributeMap.copyOf(attributes).with(delta.changes(), seq);
    }
    return withAccess(r, delta.now(), r.id(), r.renewedAt(), principal, attributes, seq);
  }

  private static SessionRecord withAccess(SessionRecord r, long now, String id, long renewedAt, String principal,
      Map<String, StoredAttribute> attributes, long seq) {
    return new SessionRecord(id, r.createdAt(), Math.max(r.lastAccessAt(), now), renewedAt, r.idleMillis(),
        r.absoluteMillis(), r.renewalMillis(), principal, attributes, seq);
  }

  @Override
  public void delete(String id) {
    checkOpen();
    if (id == null || id.isEmpty()) {
      return;
    }
    IdKey key = new IdKey(id);
    long now = core.now();
    core.timed("delete", () -> guarded(key, k -> remove(k, now, null)));
  }

  /**
   * Removes the session under {@code key}, counted deleted when it is live at {@code now}, else
   * expired; with a {@code principal}, only when the session still belongs to it (decided inside
   * the compute, where no save can change the principal).
   *
   * @return whether this call deleted a live session
   */
  private boolean remove(IdKey key, long now, String principal) {
    boolean[] deleted = {false};
    map.computeIfPresent(key, (k, slot) -> {
      if (principal != null && !principal.equals(slot.record.principal())) {
        return slot;  // a save moved it to another principal after the list was taken
      }
      SessionRecord r = slot.clear();
      if (r.isExpired(now)) {
        expired(k, r);
      } else {
        unindex(r.principal(), k);
        core.countDeleted();
        deleted[0] = true;
      }
      return null;
    });
    return deleted[0];
  }

  @Override
  public void changeId(Session session) {
    checkOpen();
    String newId = core.nextIdFor(session);
    if (session.isNew()) {
      SessionAccess.giveId(session, newId);
      return;
    }
    IdKey oldKey = new IdKey(session.id());
    IdKey newKey = new IdKey(newId);
    long now = core.now();
    StampedLock lock = stripeOf(oldKey.id);
    Slot moved = core.timed("changeId", () -> {
      long stamp = lock.writeLock();
      try {
        if (map.containsKey(newKey)) {
          // refused before the session leaves its slot, so a save racing this call still lands
          throw takenId();
        }
        SessionRecord[] removed = new SessionRecord[1];
        map.computeIfPresent(oldKey, (k, slot) -> {
          SessionRecord r = slot.clear();
          unindex(r.principal(), k);
          if (r.isExpired(now)) {
            expired(k, r);
          } else {
            removed[0] = r;
          }
          return null;
        });
        SessionRecord r = removed[0];
        if (r == null) {
          return null;
        }
        Slot renamed = new Slot(this, newKey,
            withAccess(r, now, newId, now, r.principal(), r.attributes(), r.seq()));
        if (map.putIfAbsent(newKey, renamed) != null) {
          // a create drew the same new id since the check above (a create takes no stripe lock)
          map.put(oldKey, new Slot(this, oldKey, r));
          index(r.principal(), oldKey);
          // a sweep that took the old id's key while the record was out dropped it
          expiries.file(oldKey, r.expiresAt());
          throw takenId();
        }
        index(r.principal(), newKey);
        expiries.file(newKey, renamed.record.expiresAt());
        return renamed;
      } finally {
        lock.unlockWrite(stamp);
      }
    });
    if (moved == null) {
      throw core.gone(session.id());
    }
    SessionAccess.markRenamed(session, newId, now);
    SessionAccess.attach(session, moved);
    core.countRotation();
  }

  private SessionStoreException takenId() {
    return new SessionStoreException(name() + " - the new id of a rotation was taken; try again", null);
  }

  @Override
  public boolean supportsPrincipalIndex() {
    return true;
  }

  @Override
  public List<String> findIdsByPrincipal(String principal) {
    checkOpen();
    Objects.requireNonNull(principal, "principal");
    long now = core.now();
    long[] stamps = lockAllStripes();
    try {
      List<String> ids = new ArrayList<>();
      for (IdKey key : liveKeys(principal, now)) {
        ids.add(key.id);
      }
      return ids;
    } finally {
      unlockAllStripes(stamps);
    }
  }

  /**
   * Lists and deletes in one step under every stripe, so no rotation moves a session out of it. A
   * session that a save gave another principal after the list was taken is kept, and the count is
   * of the sessions this call deleted (not those a racing delete removed first).
   */
  @Override
  public int deleteByPrincipal(String principal) {
    checkOpen();
    Objects.requireNonNull(principal, "principal");
    long now = core.now();
    return core.timed("delete", () -> {
      long[] stamps = lockAllStripes();
      try {
        int deleted = 0;
        for (IdKey key : liveKeys(principal, now)) {
          if (remove(key, now, principal)) {
            deleted++;
          }
        }
        return deleted;
      } finally {
        unlockAllStripes(stamps);
      }
    });
  }

  /**
   * The keys of the principal's live sessions, pruning stale entries and removing the sessions it
   * finds expired; under every stripe.
   */
  private List<IdKey> liveKeys(String principal, long now) {
    Set<IdKey> keys = principals.get(principal);
    if (keys == null) {
      return List.of();
    }
    List<IdKey> live = new ArrayList<>();
    for (IdKey key : List.copyOf(keys)) {
      if (isLiveWith(principal, key, now)) {
        live.add(key);
      }
    }
    return live;
  }

  private boolean isLiveWith(String principal, IdKey key, long now) {
    for (;;) {
      Slot slot = map.get(key);
      SessionRecord r = slot == null ? GONE : slot.record;
      if (r == GONE || !principal.equals(r.principal())) {
        pruneIfStale(principal, key);
        return false;
      }
      if (!r.isExpired(now)) {
        return true;
      }
      if (removeExpired(key, slot, r)) {
        return false;
      }
    }
  }

  private long[] lockAllStripes() {
    long[] stamps = new long[STRIPES];
    for (int i = 0; i < STRIPES; i++) {
      stamps[i] = stripes[i].readLock();
    }
    return stamps;
  }

  private void unlockAllStripes(long[] stamps) {
    for (int i = 0; i < STRIPES; i++) {
      stripes[i].unlockRead(stamps[i]);
    }
  }

  /**
   * Drops an index entry whose session is gone or has another principal, deciding inside the
   * session's own compute: a save in flight indexes before its record is visible to {@code get},
   * so only a check serialised with that save may drop the entry.
   */
  private void pruneIfStale(String principal, IdKey key) {
    map.compute(key, (k, current) -> {
      if (current == null || !principal.equals(current.record.principal())) {
        unindex(principal, k);
      }
      return current;
    });
  }

  private void index(String principal, IdKey key) {
    if (principal != null) {
      principals.computeIfAbsent(principal, p -> ConcurrentHashMap.newKeySet()).add(key);
    }
  }

  private void unindex(String principal, IdKey key) {
    if (principal != null) {
      principals.computeIfPresent(principal, (p, keys) -> {
        keys.remove(key);
        return keys.isEmpty() ? null : keys;
      });
    }
  }

  private void expired(IdKey key, SessionRecord record) {
    unindex(record.principal(), key);
    core.countExpired(1);
  }

  /** Entries with a principal in the index, for tests of its exactness. */
  int principalIndexEntries() {
    return principals.values().stream().mapToInt(Set::size).sum();
  }

  /** Sessions held, expired or not, without a sweep: for tests of the sweep. */
  int storedSessions() {
    return map.size();
  }

  /** Keys filed for a later look by the sweep, for tests of its bookkeeping. */
  int filedKeys() {
    return expiries.size();
  }

  /**
   * Exact: the sweep runs first (after any sweep already running, see {@link #sweep}), so no
   * expired session is counted.
   */
  @Override
  public OptionalLong activeSessions() {
    sweep();
    return OptionalLong.of(map.size());
  }

  @Override
  public SessionStoreStats stats() {
    sweep();
    return core.stats();
  }

  /** Stops the sweep and drops every session; later calls throw {@link SessionStoreException}. */
  @Override
  public void close() {
    closed = true;
    sweeping.cancel(false);
    map.clear();
    principals.clear();
    expiries.clear();
  }

  private void checkOpen() {
    if (closed) {
      throw new SessionStoreException(name() + " is closed", null);
    }
  }

  /** The stripe of the id's routing tag (its first {@link SessionIds#TAG_LENGTH} characters). */
  private StampedLock stripeOf(String id) {
    int hash = 0;
    for (int i = 0, n = Math.min(id.length(), SessionIds.TAG_LENGTH); i < n; i++) {
      hash = 31 * hash + id.charAt(i);
    }
    return stripes[(hash ^ (hash >>> 16)) & (STRIPES - 1)];
  }

  /**
   * Where one session is kept: its record, replaced by compare-and-set, and {@link #GONE} once the
   * session was removed or rotated away (never anything else after that). The key is the id the
   * slot is filed under; the owner tells a save whether a handle's slot is this store's.
   */
  private static final class Slot {
    private static final VarHandle RECORD;

    static {
      try {
        RECORD = MethodHandles.lookup().findVarHandle(Slot.class, "record", SessionRecord.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final InMemorySessionStore owner;
    final IdKey key;
    volatile SessionRecord record;

    Slot(InMemorySessionStore owner, IdKey key, SessionRecord record) {
      this.owner = owner;
      this.key = key;
      this.record = record;
    }

    boolean replace(SessionRecord expected, SessionRecord next) {
      return RECORD.compareAndSet(this, expected, next);
    }

    /** Empties the slot for good; the record it held (never {@link #GONE}: inside a compute). */
    SessionRecord clear() {
      return (SessionRecord) RECORD.getAndSet(this, GONE);
    }
  }

  /** A map key whose equality check takes the same time wherever two ids differ. */
  static final class IdKey {
    final String id;
    private final int hash;

    IdKey(String id) {
      this.id = id;
      this.hash = id.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof IdKey other && hash == other.hash && SessionIds.equal(id, other.id);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * Runs every store's sweep on one daemon thread. A store that was never closed and is no longer
   * referenced stops being swept: the task holds it weakly.
   */
  private static final class Sweeper implements Runnable {

    /** How long the sweep thread outlives the last store it sweeps (so it does not pin a class loader). */
    static final long IDLE_SECONDS = 10;
    private static final ScheduledThreadPoolExecutor EXECUTOR = newExecutor();

    private final WeakReference<InMemorySessionStore> store;
    private volatile ScheduledFuture<?> self;

    private Sweeper(InMemorySessionStore store) {
      this.store = new WeakReference<>(store);
    }

    static ScheduledFuture<?> schedule(InMemorySessionStore store) {
      Sweeper task = new Sweeper(store);
      task.self = EXECUTOR.scheduleWithFixedDelay(task, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
      return task.self;
    }

    @Override
    public void run() {
      InMemorySessionStore s = store.get();
      if (s == null) {
        ScheduledFuture<?> f = self;
        if (f != null) {
          f.cancel(false);
        }
        return;
      }
      try {
        s.sweep();
      } catch (RuntimeException | Error e) {
        // the next sweep tries again: whatever a sweep throws (the injected clock's code, say)
        // must not cancel the schedule, which a task that throws does
        LOG.warn("{} - sweeping expired sessions failed", s.name(), e);
      }
    }

    private static ScheduledThreadPoolExecutor newExecutor() {
      ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "scaleblocks-session-expiry");
        t.setDaemon(true);
        return t;
      });
      executor.setRemoveOnCancelPolicy(true);
      executor.setKeepAliveTime(IDLE_SECONDS, TimeUnit.SECONDS);
      executor.allowCoreThreadTimeOut(true);
      return executor;
    }
  }
}
