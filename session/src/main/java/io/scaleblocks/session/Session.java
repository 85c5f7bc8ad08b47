package io.scaleblocks.session;

import io.scaleblocks.session.internal.AttributeMap;
import io.scaleblocks.session.internal.Delta;
import io.scaleblocks.session.internal.SaveOutcome;
import io.scaleblocks.session.internal.SessionAccess;
import io.scaleblocks.session.internal.SessionRecord;
import io.scaleblocks.session.internal.SessionRecord.StoredAttribute;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One request's view of a session: what {@link SessionStore#find} loaded, plus the changes this
 * request made, which {@link SessionStore#save} writes. Values are encoded when set and decoded
 * when read, so a handle never shares a mutable object with the store or another request as long
 * as the codec copies as {@link SessionCodec} requires (the stored bytes themselves are shared).
 *
 * <p>Not thread-safe: one handle per request. Two requests on one session hold two handles.
 */
public final class Session {

  /** The first capacity of the list of changes: a request changes a few attributes. */
  private static final int SMALL = 4;

  static {
    SessionAccess.install(new Access());
  }

  private String id;
  private final long createdAt;
  private long lastAccessAt;
  private long renewedAt;
  private final long idleMillis;
  private final long absoluteMillis;
  private final long renewalMillis;
  private String principal;
  private String savedPrincipal;
  /**
   * The attributes as this handle knows the store holds them: the record's immutable map as found
   * (shared, not copied), with this handle's saved changes applied after each save.
   */
  private Map<String, StoredAttribute> loaded;
  /** Changes not saved yet, in the order made, one per name; null until the first. */
  private List<Delta.Change> changes;
  private boolean isNew;
  /** Where the store that loaded or saved this handle keeps the session, if it says; see {@link SessionAccess#attach}. */
  private Object storeHandle;

  private Session(SessionRecord record, boolean isNew) {
    this.id = record.id();
    this.createdAt = record.createdAt();
    this.lastAccessAt = record.lastAccessAt();
    this.renewedAt = record.renewedAt();
    this.idleMillis = record.idleMillis();
    this.absoluteMillis = record.absoluteMillis();
    this.renewalMillis = record.renewalMillis();
    this.principal = record.principal();
    this.savedPrincipal = record.principal();
    this.loaded = record.attributes();
    this.isNew = isNew;
  }

  public String id() {
    return id;
  }

  /** Whether this session was created by this request and not saved yet. */
  public boolean isNew() {
    return isNew;
  }

  public Instant creationTime() {
    return Instant.ofEpochMilli(createdAt);
  }

  public Instant lastAccessTime() {
    return Instant.ofEpochMilli(lastAccessAt);
  }

  /** When the id was last issued: creation or the last {@link SessionStore#changeId}. */
  public Instant renewedTime() {
    return Instant.ofEpochMilli(renewedAt);
  }

  /** The first of the idle, absolute and renewal deadlines, as of the last access. */
  public Instant expiresAt() {
    return Instant.ofEpochMilli(SessionRecord.expiresAt(
        createdAt, lastAccessAt, renewedAt, idleMillis, absoluteMillis, renewalMillis));
  }

  public Duration idleTimeout() {
    return Duration.ofMillis(idleMillis);
  }

  public Duration absoluteTimeout() {
    return Duration.ofMillis(absoluteMillis);
  }

  public Optional<Duration> renewalTimeout() {
    return renewalMillis > 0 ? Optional.of(Duration.ofMillis(renewalMillis)) : Optional.empty();
  }

  /**
   * The attribute's value as this request sees it: its own change if it made one, else what was
   * loaded.
   *
   * @throws SessionCodecException when the stored bytes are not a value of the attribute's codec
   */
  public <T> Optional<T> get(SessionAttribute<T> attribute) {
    byte[] bytes = bytesOf(attribute.name());
    if (bytes == null) {
      return Optional.empty();
    }
    if (StoredAttribute.isUnreadable(bytes)) {
      throw new SessionCodecException(id, attribute.name(),
          new IllegalArgumentException("its stored version is not a number"));
    }
    T value;
    try {
      value = attribute.codec().decode(bytes);
    } catch (RuntimeException e) {
      throw new SessionCodecException(id, attribute.name(), e);
    }
    if (value == null) {
      throw new SessionCodecException(id, attribute.name(), new IllegalArgumentException("the codec returned null"));
    }
    return Optional.of(value);
  }

  private byte[] bytesOf(String name) {
    int i = changeOf(name);
    if (i >= 0) {
      return changes.get(i).value();
    }
    StoredAttribute stored = loaded.get(name);
    return stored == null ? null : stored.value();
  }

  /** The index in {@link #changes} of the unsaved change of {@code name}, or -1. */
  private int changeOf(String name) {
    if (changes != null) {
      for (int i = 0; i < changes.size(); i++) {
        String changed = changes.get(i).name();
        if (changed == name || changed.equals(name)) {
          return i;
        }
      }
    }
    return -1;
  }

  /** Records {@code change}, replacing an unsaved change of the same name. */
  private void change(Delta.Change change) {
    int i = changeOf(change.name());
    if (i >= 0) {
      changes.set(i, change);
      return;
    }
    if (changes == null) {
      changes = new ArrayList<>(SMALL);
    }
    changes.add(change);
  }

  /** Sets the attribute; the value is encoded now, so a codec failure is thrown here. */
  public <T> void set(SessionAttribute<T> attribute, T value) {
    if (value == null) {
      throw new NullPointerException("value of attribute '" + attribute.name() + "'");
    }
    byte[] bytes = attribute.codec().encode(value);
    if (bytes == null) {
      throw new IllegalArgumentException("the codec of attribute '" + attribute.name() + "' encoded to null");
    }
    change(new Delta.Change(attribute.name(), bytes, loadedVersion(attribute.name())));
  }

  /** Removes the attribute (a no-op when neither stored nor set). */
  public void remove(SessionAttribute<?> attribute) {
    remove(attribute.name());
  }

  /** Removes the attribute by name. */
  public void remove(String name) {
    SessionAttribute.checkName(name);
    StoredAttribute stored = loaded.get(name);
    if (stored != null) {
      change(new Delta.Change(name, null, stored.version()));
    } else {
      int i = changeOf(name);
      if (i >= 0) {
        changes.remove(i);
      }
    }
  }

  private long loadedVersion(String name) {
    StoredAttribute stored = loaded.get(name);
    return stored == null ? 0 : stored.version();
  }

  /** The names of the attributes this request sees, sorted. */
  public Set<String> attributeNames() {
    Set<String> names = new TreeSet<>(loaded.keySet());
    if (changes != null) {
      changes.forEach(c -> {
        if (c.isRemoval()) {
          names.remove(c.name());
        } else {
          names.add(c.name());
        }
      });
    }
    return Collections.unmodifiableSet(names);
  }

  /** The user the session belongs to, for {@link SessionStore#findIdsByPrincipal}. */
  public Optional<String> principal() {
    return Optional.ofNullable(principal);
  }

  /**
   * Sets the principal (1 to 255 characters, none of them a control character or a lone half of a
   * surrogate pair, which not every store can keep: PostgreSQL refuses a NUL, and UTF-8 has no
   * encoding for a lone surrogate); usually right before {@link SessionStore#changeId}.
   *
   * @throws IllegalArgumentException naming the length or the index of the character refused
   */
  public void setPrincipal(String principal) {
    StoredText.check("principal", principal, 255, false);
    this.principal = principal;
  }

  public void clearPrincipal() {
    this.principal = null;
  }

  /** Whether {@link SessionStore#save} has something to write. */
  public boolean hasChanges() {
    return isNew || (changes != null && !changes.isEmpty()) || !Objects.equals(principal, savedPrincipal);
  }

  @Override
  public String toString() {
    return "Session[" + abbreviate(id) + (isNew ? ", new" : "") + ", " + attributeNames().size() + " attributes]";
  }

  /** The first characters of an id, enough to tell sessions apart in a log, too few to use one. */
  static String abbreviate(String id) {
    return id == null ? "?" : id.length() <= 10 ? id.substring(0, Math.min(4, id.length())) + "…" : id.substring(0, 10) + "…";
  }

  private Delta delta(long now) {
    if (!hasChanges()) {
      return null;
    }
    List<Delta.Change> list = changes == null ? List.of() : changes;
    SessionRecord created = null;
    if (isNew) {
      created = new SessionRecord(id, createdAt, now, renewedAt, idleMillis, absoluteMillis, renewalMillis,
          principal, AttributeMap.of(list, 1), 1);
    }
    return new Delta(id, now, created, list, !Objects.equals(principal, savedPrincipal), principal,
        savedPrincipal, loaded);
  }

  /** After the store applied {@code delta} (every change this handle had: nothing changes it meanwhile). */
  private void saved(Delta delta, SaveOutcome.Saved outcome) {
    if (!delta.changes().isEmpty()) {
      loaded = outcome.attributes() != null
          ? outcome.attributes()
          : AttributeMap.copyOf(loaded).with(delta.changes(), outcome.seq());
      changes = null;
    }
    savedPrincipal = delta.principal();
    lastAccessAt = Math.max(lastAccessAt, delta.now());
    isNew = false;
  }

  private static final class Access extends SessionAccess {
    @Override protected Session restore(SessionRecord record) {
      return new Session(record, false);
    }

    @Override protected Session fresh(SessionRecord record) {
      return new Session(record, true);
    }

    @Override protected Delta delta(Session session, long now) {
      return session.delta(now);
    }

    @Override protected void saved(Session session, Delta delta, SaveOutcome.Saved outcome) {
      session.saved(delta, outcome);
    }

    @Override protected void renamed(Session session, String newId, long now) {
      session.id = newId;
      session.renewedAt = now;
      session.lastAccessAt = Math.max(session.lastAccessAt, now);
    }

    @Override protected void reassignId(Session session, String newId) {
      session.id = newId;
    }

    @Override protected String savedPrincipal(Session session) {
      return session.savedPrincipal;
    }

    @Override protected Object storeHandle(Session session) {
      return session.storeHandle;
    }

    @Override protected void keepStoreHandle(Session session, Object handle) {
      session.storeHandle = handle;
    }
  }
}
