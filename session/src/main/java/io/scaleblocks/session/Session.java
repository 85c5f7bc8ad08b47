package io.scaleblocks.session;

import io.scaleblocks.session.internal.Delta;
import io.scaleblocks.session.internal.SessionAccess;
import io.scaleblocks.session.internal.SessionRecord;
import io.scaleblocks.session.internal.SessionRecord.StoredAttribute;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

  /** The first table size of the per-handle maps: a request changes a few attributes. */
  private static final int SMALL = 4;
  /** Marks an attribute this handle removed and saved. */
  private static final StoredAttribute REMOVED = new StoredAttribute(null, 0);

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
  /** The record's attributes as found: the store's immutable map, shared, never copied. */
  private final Map<String, StoredAttribute> loaded;
  /** What this handle saved since it was found ({@link #REMOVED} for a removal); null until then. */
  private Map<String, StoredAttribute> written;
  /** Changes not saved yet, in the order made; null until the first. */
  private Map<String, Delta.Change> changes;
  private boolean isNew;

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
    Delta.Change change = changes == null ? null : changes.get(name);
    if (change != null) {
      return change.value();
    }
    StoredAttribute stored = stored(name);
    return stored == null ? null : stored.value();
  }

  /** The attribute as the store holds it, as far as this handle knows: saved by it, or loaded. */
  private StoredAttribute stored(String name) {
    if (written != null) {
      StoredAttribute mine = written.get(name);
      if (mine != null) {
        return mine == REMOVED ? null : mine;
      }
    }
    return loaded.get(name);
  }

  private Map<String, Delta.Change> changes() {
    if (changes == null) {
      changes = new LinkedHashMap<>(SMALL);
    }
    return changes;
  }

  /** Sets the attribute; the value is encoded now, so a codec failure is thrown here. */
  public <T> void set(SessionAttribute<T> attribute, T value) {
    Objects.requireNonNull(value, () -> "value of attribute '" + attribute.name() + "'");
    byte[] bytes = attribute.codec().encode(value);
    if (bytes == null) {
      throw new IllegalArgumentException("the codec of attribute '" + attribute.name() + "' encoded to null");
    }
    changes().put(attribute.name(), new Delta.Change(attribute.name(), bytes, loadedVersion(attribute.name())));
  }

  /** Removes the attribute (a no-op when neither stored nor set). */
  public void remove(SessionAttribute<?> attribute) {
    remove(attribute.name());
  }

  /** Removes the attribute by name. */
  public void remove(String name) {
    SessionAttribute.checkName(name);
    if (stored(name) != null) {
      changes().put(name, new Delta.Change(name, null, loadedVersion(name)));
    } else if (changes != null) {
      changes.remove(name);
    }
  }

  private long loadedVersion(String name) {
    StoredAttribute stored = stored(name);
    return stored == null ? 0 : stored.version();
  }

  /** The names of the attributes this request sees, sorted. */
  public Set<String> attributeNames() {
    Set<String> names = new TreeSet<>(loaded.keySet());
    if (written != null) {
      written.forEach((name, stored) -> {
        if (stored == REMOVED) {
          names.remove(name);
        } else {
          names.add(name);
        }
      });
    }
    if (changes != null) {
      changes.values().forEach(c -> {
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

  /** Sets the principal (1 to 255 characters); usually right before {@link SessionStore#changeId}. */
  public void setPrincipal(String principal) {
    Objects.requireNonNull(principal, "principal");
    if (principal.isEmpty() || principal.length() > 255) {
      throw new IllegalArgumentException("principal must have 1 to 255 characters but had " + principal.length());
    }
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
    List<Delta.Change> list = changes == null ? List.of() : List.copyOf(changes.values());
    SessionRecord created = null;
    if (isNew) {
      Map<String, StoredAttribute> attributes = new HashMap<>();
      for (Delta.Change c : list) {
        if (!c.isRemoval()) {
          attributes.put(c.name(), new StoredAttribute(c.value(), 1));
        }
      }
      created = new SessionRecord(id, createdAt, now, renewedAt, idleMillis, absoluteMillis, renewalMillis,
          principal, Collections.unmodifiableMap(attributes), 1);
    }
    return new Delta(id, now, created, list, !Objects.equals(principal, savedPrincipal), principal,
        savedPrincipal);
  }

  private void saved(Delta delta, long seq) {
    if (!delta.changes().isEmpty() && written == null) {
      written = new HashMap<>(SMALL);
    }
    for (Delta.Change c : delta.changes()) {
      written.put(c.name(), c.isRemoval() ? REMOVED : new StoredAttribute(c.value(), seq));
      changes.remove(c.name(), c);
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

    @Override protected void saved(Session session, Delta delta, long seq) {
      session.saved(delta, seq);
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
  }
}
