package io.scaleblocks.session.redis;

import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionIds;
import io.scaleblocks.session.SessionStoreException;
import io.scaleblocks.session.internal.CoreSessionStore;
import io.scaleblocks.session.internal.Delta;
import io.scaleblocks.session.internal.SaveOutcome;
import io.scaleblocks.session.internal.SessionAccess;
import io.scaleblocks.session.internal.SessionRecord;
import io.scaleblocks.session.internal.StoreCore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Sessions as Redis hashes, every operation one Lua script (see the scripts beside this class).
 *
 * <p>Round trips: find (read and touch) 1; save 1, plus 1 when a principal is set or cleared and
 * plus 2 when it changes from one principal to another (index add and remove); create 1 (its
 * first save); touch 1; changeId 1, plus 2 with a principal (plus one more attempt if another
 * request changed the principal meanwhile); delete 1, plus 1 with a principal; deleteByPrincipal
 * 1 per pass plus 1 per tag listed (see {@link #deleteByPrincipal}). A login of an anonymous
 * session (setPrincipal, changeId, save) is 3.
 *
 * <p>The principal index is a sorted set per principal, scored by each session's hard deadline
 * (absolute or renewal, which no touch moves), and expiring with its last member; so it cannot
 * outlive its sessions. Writes that touch it are ordered so that it never misses a live session:
 * an id is added before the session is written under it and removed after the session left it.
 * Once a session write applied, a failure of the index removal after it is logged at {@code
 * WARN} and the call succeeds: it never reports an applied save, rotation or delete as failed.
 * A read drops members past their deadline and checks each remaining one against its hash, so a
 * crash between the two writes leaves an extra member that no read returns. A read never removes a
 * member that fails that check: it may be the id of a write in flight, added to the index but not
 * yet written (a login's save, a rotation's new id); such members go by their score.
 *
 * <p>A session hash whose timing fields ({@code _c _a _r _i _x _n}) or write sequence ({@code _s})
 * are missing or not decimal integers (written by hand or by another program) is treated as
 * absent: find and touch delete it and report no session (logged at {@code WARN}), save and
 * changeId delete it and see it as gone ({@code SESSION_GONE}), and the principal index does not
 * list it. So a garbled hash never turns into a store failure for its cookie. A garbled attribute
 * version ({@code v:<name>}) makes only that attribute unreadable (see {@link HashFormat}).
 */
final class RedisSessionStore extends CoreSessionStore {

  private static final Logger LOG = LoggerFactory.getLogger(RedisSessionStore.class);
  private static final int MAX_ID_ATTEMPTS = 3;
  static final int MAX_LOG_OUT_PASSES = 32;
  private static final byte[] ONE = bytes("1");
  private static final byte[] ZERO = bytes("0");

  private final UnifiedJedis jedis;
  private final String prefix;
  private final boolean principalIndex;

  RedisSessionStore(RedisSessionStores.Builder b) {
    super(new StoreCore(b.config, b.ids, b.clock));
    this.jedis = b.jedis;
    this.prefix = b.keyPrefix;
    this.principalIndex = b.principalIndex;
  }

  byte[] keyOf(String id) {
    return bytes(prefix + "{" + SessionIds.tagOf(id) + "}" + id.substring(SessionIds.tagOf(id).length()));
  }

  private byte[] indexKeyOf(String principal) {
    return bytes(prefix + "principal:" + principal);
  }

  @Override
  public Optional<Session> find(String id) {
    if (!core.acceptable(id)) {
      return Optional.empty();
    }
    long now = core.now();
    Object reply = core.timed("find", () -> call("find", () -> LuaScript.FIND.run(jedis, List.of(keyOf(id)),
        List.of(bytes(now), ONE))));
    if (!(reply instanceof List<?> fields)) {
      countIfExpired(reply);
      return Optional.empty();
    }
    return Optional.of(SessionAccess.restoreOf(HashFormat.parse(id, fields, now)));
  }

  @Override
  public boolean touch(String id) {
    if (!core.acceptable(id)) {
      return false;
    }
    long now = core.now();
    Object reply = core.timed("touch", () -> call("touch", () -> LuaScript.FIND.run(jedis, List.of(keyOf(id)),
        List.of(bytes(now), ZERO))));
    countIfExpired(reply);
    return reply instanceof Long l && l == 1L;
  }

  /** Counts an expiry the script found; logs a garbled hash it deleted (-1), which reads as absent. */
  private void countIfExpired(Object reply) {
    if (reply instanceof Long l && l == 0L) {
      core.countExpired(1);
    } else if (reply instanceof Long l && l == -1L) {
      LOG.warn("{} - a session hash had a missing or non-numeric timing field; deleted, read as absent", name());
    }
  }

  @Override
  public void save(Session session) {
    core.save(session, (handle, delta) -> write(delta));
  }

  private SaveOutcome write(Delta delta) {
    boolean indexChange = principalIndex && delta.principalChanged();
    if (indexChange && delta.principal() != null) {
      indexAdd(delta.principal(), delta.id(), hardDeadline(delta), delta.now());
    }
    List<?> reply = call("save", () -> (List<?>) LuaScript.SAVE.run(jedis, List.of(keyOf(delta.id())),
        HashFormat.saveArguments(delta)));
    String status = HashFormat.text(reply.get(0));
    switch (status) {
      case "ok":
        if (indexChange && delta.previousPrincipal() != null) {
          indexRemoveAfterWrite(delta.previousPrincipal(), delta.id(), "save");
        }
        return new SaveOutcome.Saved((Long) reply.get(1));
      case "taken":
        return new SaveOutcome.IdTaken();
      case "conflict":
        List<String> names = new ArrayList<>();
        reply.subList(1, reply.size()).forEach(o -> names.add(HashFormat.text(o)));
        return new SaveOutcome.Conflict(names);
      case "expired":
        core.countExpired(1);
        return SaveOutcome.GONE;
      default:
        return SaveOutcome.GONE;
    }
  }

  /**
   * The index score: a new session's hard deadline; for a stored one, now plus the absolute
   * timeout, which no deadline of that session can pass.
   */
  private long hardDeadline(Delta delta) {
    SessionRecord r = delta.created();
    if (r != null) {
      return SessionRecord.hardDeadline(r.createdAt(), r.renewedAt(), r.absoluteMillis(), r.renewalMillis());
    }
    return delta.now() + core.config().absoluteTimeout().toMillis();
  }

  @Override
  public void delete(String id) {
    if (id == null || !core.acceptable(id)) {
      return;
    }
    long now = core.now();
    List<?> reply = core.timed("delete", () -> call("delete", () -> (List<?>) LuaScript.DELETE.run(jedis,
        List.of(keyOf(id)), List.of(bytes(now)))));
    if (!(reply.get(0) instanceof Long existed) || existed == 0L) {
      return;
    }
    String principal = HashFormat.text(reply.get(1));
    if (principalIndex && !principal.isEmpty()) {
      indexRemoveAfterWrite(principal, id, "delete");
    }
    if (existed == 1L) {
      core.countDeleted();
    } else {
      core.countExpired(1);
    }
  }

  @Override
  public void changeId(Session session) {
    String oldId = session.id();
    if (session.isNew()) {
      SessionAccess.giveId(session, core.nextIdFor(session));
      return;
    }
    String principal = principalIndex ? SessionAccess.principalSaved(session) : null;
    long now = core.now();
    for (int attempt = 1; attempt <= MAX_ID_ATTEMPTS; attempt++) {
      String newId = core.nextIdFor(session);
      if (principal != null) {
        indexAdd(principal, newId, now + core.config().absoluteTimeout().toMillis(), now);
      }
      List<byte[]> args = principalIndex ? List.of(bytes(now), bytes(principal == null ? "" : principal))
          : List.of(bytes(now));
      List<?> reply = core.timed("changeId", () -> call("changeId", () -> (List<?>) LuaScript.RENAME.run(jedis,
          List.of(keyOf(oldId), keyOf(newId)), args)));
      long result = (Long) reply.get(0);
      if (result == 1) {
        if (principal != null) {
          indexRemoveAfterWrite(principal, oldId, "changeId");
        }
        SessionAccess.markRenamed(session, newId, now);
        core.countRotation();
        return;
      }
      if (principal != null) {
        indexRemove(principal, newId);
      }
      if (result == 2) {
        core.countExpired(1);
      }
      if (result == 0 || result == 2) {
        throw core.gone(oldId);
      }
      if (result == -2) {
        // another request changed the principal since this handle was loaded: index under the stored one
        String stored = HashFormat.text(reply.get(1));
        principal = stored.isEmpty() ? null : stored;
      }
    }
    throw new SessionStoreException(name() + " - no id change after " + MAX_ID_ATTEMPTS
        + " attempts (ids taken or the principal changing meanwhile)", null);
  }

  @Override
  public boolean supportsPrincipalIndex() {
    return principalIndex;
  }

  @Override
  public List<String> findIdsByPrincipal(String principal) {
    Objects.requireNonNull(principal, "principal");
    if (!principalIndex) {
      throw new UnsupportedOperationException(name() + " - the principal index is off");
    }
    long now = core.now();
    byte[] index = indexKeyOf(principal);
    List<?> members = call("index", () -> (List<?>) LuaScript.INDEX_READ.run(jedis, List.of(index),
        List.of(bytes(now))));
    List<String> live = new ArrayList<>();
    for (Object member : members) {
      String id = HashFormat.text(member);
      Object owner = call("index", () -> LuaScript.OWNER.run(jedis, List.of(keyOf(id)),
          List.of(bytes(now), bytes(principal))));
      if (owner instanceof Long l && l == 1L) {
        live.add(id);
      }
    }
    return live;
  }

  /**
   * Deletes every session of {@code principal} in passes: read the index (removing the ids the
   * last pass deleted), then delete the listed hashes of the principal, those of one tag in one
   * script. It stops at a read that lists nothing, or that lists no id the read before it did not
   * list after a pass that deleted nothing. A live session's id is in the index from before the
   * hash exists under it until after it left, and every id a session has over its rotations shares
   * its tag (so its slot): a session that lived through such a pass was under an id that the
   * earlier read did not list, so it was rotated to an id added after that read, which the later
   * read lists. So a session that exists when the call starts is gone when it returns. After
   * {@value #MAX_LOG_OUT_PASSES} passes that kept finding sessions (or new ids) it throws
   * {@link SessionStoreException}; the sessions it deleted stay deleted.
   */
  @Override
  public int deleteByPrincipal(String principal) {
    Objects.requireNonNull(principal, "principal");
    if (!principalIndex) {
      throw new UnsupportedOperationException(name() + " - the principal index is off");
    }
    return core.timed("delete", () -> logOut(principal));
  }

  private int logOut(String principal) {
    byte[] index = indexKeyOf(principal);
    List<String> gone = List.of();
    Set<String> previous = Set.of();
    boolean quiet = false;
    int deleted = 0;
    for (int pass = 0; ; pass++) {
      long now = core.now();
      List<byte[]> args = new ArrayList<>();
      args.add(bytes(now));
      gone.forEach(id -> args.add(bytes(id)));
      List<?> members = call("deleteByPrincipal", () -> (List<?>) LuaScript.INDEX_READ.run(jedis, List.of(index), args));
      Set<String> listed = new LinkedHashSet<>();
      members.forEach(m -> listed.add(HashFormat.text(m)));
      if (listed.isEmpty() || (quiet && previous.containsAll(listed))) {
        return deleted;
      }
      if (pass == MAX_LOG_OUT_PASSES) {
        throw new SessionStoreException(name() + " - deleteByPrincipal could not finish after " + MAX_LOG_OUT_PASSES
            + " passes (sessions of the principal kept being rotated or created); deleted " + deleted + " so far", null);
      }
      List<String> deletedNow = new ArrayList<>();
      for (List<String> ids : byTag(listed)) {
        List<byte[]> keys = new ArrayList<>();
        ids.forEach(id -> keys.add(keyOf(id)));
        List<?> reply = call("deleteByPrincipal", () -> (List<?>) LuaScript.DELETE_OWNED.run(jedis, keys,
            List.of(bytes(now), bytes(principal))));
        for (int i = 0; i < ids.size(); i++) {
          long status = (Long) reply.get(i);
          if (status != 0) {
            deletedNow.add(ids.get(i));
          }
          if (status == 1) {
            deleted++;
            core.countDeleted();
          } else if (status == 2) {
            core.countExpired(1);
          }
        }
      }
      gone = deletedNow;
      quiet = deletedNow.isEmpty();
      previous = listed;
    }
  }

  private static Collection<List<String>> byTag(Set<String> ids) {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (String id : ids) {
      groups.computeIfAbsent(SessionIds.tagOf(id), t -> new ArrayList<>()).add(id);
    }
    return groups.values();
  }

  private void indexAdd(String principal, String id, long deadline, long now) {
    call("index", () -> LuaScript.INDEX_ADD.run(jedis, List.of(indexKeyOf(principal)),
        List.of(bytes(now), bytes(id), bytes(deadline))));
  }

  /**
   * Removes an id the write just applied has left: a failure now is logged, not thrown, since
   * the session was written and the member left behind is one no read returns.
   */
  private void indexRemoveAfterWrite(String principal, String id, String operation) {
    try {
      indexRemove(principal, id);
    } catch (SessionStoreException e) {
      LOG.warn("{} - {} applied, but removing the old id from the principal index failed (no read lists it; "
          + "it goes by its score): {}", name(), operation, e.getMessage());
    }
  }

  private void indexRemove(String principal, String id) {
    call("index", () -> LuaScript.INDEX_READ.run(jedis, List.of(indexKeyOf(principal)),
        List.of(bytes(core.now()), bytes(id))));
  }

  @Override
  public OptionalLong activeSessions() {
    return OptionalLong.empty();
  }

  @Override
  public void close() {
    // the client belongs to the caller
  }

  private <T> T call(String operation, Supplier<T> command) {
    try {
      return command.get();
    } catch (JedisException e) {
      throw new SessionStoreException(name() + " - Redis " + operation + " failed: " + e.getMessage(), e);
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] bytes(long n) {
    return bytes(Long.toString(n));
  }
}
