package io.scaleblocks.session;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Where sessions live when they leave the web server: in memory ({@link SessionStores#inMemory()}),
 * in Redis ({@code io.scaleblocks.session.redis}) or in a SQL database ({@code
 * io.scaleblocks.session.jdbc}). Every store passes one contract; what differs is stated by each.
 *
 * <p><b>The request cycle</b>: {@link #find} a session by the id a client sent (this also
 * touches it: its idle timeout starts again), read and change it through the {@link Session}
 * handle, then {@link #save} it, which writes only what the request changed. A new session comes
 * from {@link #create} and exists in the store from its first save.
 *
 * <p><b>No lost updates</b>: requests that change <em>different</em> attributes of one session
 * never lose each other's changes, however they interleave. Requests that change the
 * <em>same</em> attribute from the same loaded version: the first save wins and the later one is
 * refused whole with a {@link SessionConflictException} (see there for the rule).
 *
 * <p><b>Expiry</b>: a session past its idle, absolute or renewal timeout ({@link
 * SessionStoreConfig}) is never returned, touched or saved, whether or not the store has removed
 * it yet.
 *
 * <p><b>Failures</b>: an unreachable or failing store throws {@link SessionStoreException}; a
 * garbled stored value throws {@link SessionCodecException} when it is read. Implementations are
 * thread-safe; a {@link Session} handle is not (one request's view).
 */
public interface SessionStore extends AutoCloseable {

  /** The name from {@link SessionStoreConfig#name()}, which starts the store's log lines. */
  String name();

  /** A new session with a fresh id; nothing is written until {@link #save}. */
  Session create();

  /**
   * The live session with this id, touched (its last access time is now), or empty when there is
   * none, it expired, or (with strict ids) the id is not of the shape this store issues.
   *
   * @throws SessionStoreException when the store cannot answer
   */
  Optional<Session> find(String id);

  /**
   * Writes what the handle changed since it was found or last saved (all of it for a new
   * session), atomically: all of it or none. A handle with no changes costs nothing.
   *
   * @throws SessionConflictException when the rule of that class refuses the save
   * @throws SessionStoreException when the store cannot be written; the save may or may not have
   *     been applied. Saving the same handle again never applies it twice: it is applied if the
   *     first attempt was not, and refused as a conflict if it was (a new session's retry is saved
   *     under a new id, and a first copy that did land expires unused)
   */
  void save(Session session);

  /** Restarts the idle timeout of a live session; false when there is none under this id. */
  boolean touch(String id);

  /** Removes the session; deleting an absent one is not an error. */
  void delete(String id);

  /**
   * Gives a live session a new id (after a login, against session fixation) and renews its
   * renewal timeout. From the moment the store applies it the old id finds nothing and the new
   * one finds the session: there is no instant at which both or neither work, and no grace period
   * in which the old id still leads to the session. So a handle loaded under the old id before the
   * change (a request still in flight with the old cookie) can no longer save: its save is refused
   * whole with {@link SessionConflictException} ({@code SESSION_GONE}; the filters answer {@code
   * 409}). The handle's {@link Session#id()} is the new id afterwards. A new, unsaved session just
   * takes a new id.
   *
   * @throws SessionConflictException ({@code SESSION_GONE}) when the session no longer exists
   */
  void changeId(Session session);

  /** Whether this store keeps the principal index of {@link #findIdsByPrincipal}. */
  boolean supportsPrincipalIndex();

  /**
   * The ids of every live session whose {@link Session#principal()} is {@code principal}, for "log
   * out everywhere". Exact: expired and deleted sessions are never listed.
   *
   * @throws NullPointerException naming {@code principal} when it is null
   * @throws UnsupportedOperationException when {@link #supportsPrincipalIndex()} is false
   */
  List<String> findIdsByPrincipal(String principal);

  /**
   * Deletes every session of {@code principal}; returns how many ids were listed and deleted. It
   * lists again after each round of deletes, up to 8 rounds, until a list comes back empty: a
   * {@link #changeId} racing it moves a session to an id that the earlier list did not have, and
   * the next list has it. The in-memory store lists and deletes in one step that no rotation
   * overlaps; the JDBC store deletes by the principal column in one statement; the Redis store
   * deletes in passes until its index lists no new id after a pass that deleted nothing, and
   * throws {@link SessionStoreException} when it cannot get there in 32 passes.
   */
  default int deleteByPrincipal(String principal) {
    Set<String> deleted = new HashSet<>();
    for (int round = 0; round < 8; round++) {
      List<String> ids = findIdsByPrincipal(principal);
      if (ids.isEmpty()) {
        break;
      }
      ids.forEach(this::delete);
      deleted.addAll(ids);
    }
    return deleted.size();
  }

  /** The number of live sessions, where the store can count them cheaply. */
  OptionalLong activeSessions();

  /** Counts since the store was built. */
  SessionStoreStats stats();

  /**
   * Receives the duration of every store call ({@code find}, {@code save}, {@code touch}, {@code
   * delete}, {@code changeId}), for metrics. Replaces the previous listener; it runs on the calling
   * thread, and what it throws is logged and ignored.
   */
  void latencyListener(LatencyListener listener);

  /** Releases what the store holds (schedulers; never a client the caller passed in). */
  @Override
  void close();

  /** See {@link #latencyListener}. */
  @FunctionalInterface
  interface LatencyListener {
    void record(String operation, long nanos, boolean failed);
  }
}
