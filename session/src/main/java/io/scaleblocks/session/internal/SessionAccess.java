package io.scaleblocks.session.internal;

import io.scaleblocks.session.Session;

/**
 * The stores' way into {@link Session}, whose constructors and bookkeeping are not API. {@code
 * Session} installs the one instance when it is loaded.
 */
public abstract class SessionAccess {

  private static volatile SessionAccess instance;

  protected SessionAccess() {}

  public static void install(SessionAccess access) {
    if (instance != null) {
      throw new IllegalStateException("installed already");
    }
    instance = access;
  }

  public static SessionAccess get() {
    SessionAccess access = instance;
    if (access == null) {
      try {
        Class.forName(Session.class.getName(), true, Session.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      access = instance;
    }
    return access;
  }

  /** A handle on a stored session. */
  protected abstract Session restore(SessionRecord record);

  /** A handle on a new, unsaved session. */
  protected abstract Session fresh(SessionRecord record);

  /** What {@code session} has to write, or null when nothing. */
  protected abstract Delta delta(Session session, long now);

  protected abstract void saved(Session session, Delta delta, SaveOutcome.Saved outcome);

  protected abstract void renamed(Session session, String newId, long now);

  protected abstract void reassignId(Session session, String newId);

  protected abstract String savedPrincipal(Session session);

  /** What the store that loaded or saved {@code session} keeps on it (null until then). */
  protected abstract Object storeHandle(Session session);

  protected abstract void keepStoreHandle(Session session, Object handle);

  public static Session restoreOf(SessionRecord record) {
    return get().restore(record);
  }

  public static Session freshOf(SessionRecord record) {
    return get().fresh(record);
  }

  public static Delta deltaOf(Session session, long now) {
    return get().delta(session, now);
  }

  public static void markSaved(Session session, Delta delta, SaveOutcome.Saved outcome) {
    get().saved(session, delta, outcome);
  }

  public static void markRenamed(Session session, String newId, long now) {
    get().renamed(session, newId, now);
  }

  public static void giveId(Session session, String newId) {
    get().reassignId(session, newId);
  }

  public static String principalSaved(Session session) {
    return get().savedPrincipal(session);
  }

  /**
   * The object a store attached to {@code session} with {@link #attach}: a store may keep where it
   * holds the session, so that a save need not look it up again. Null when none is attached.
   */
  public static Object attachment(Session session) {
    return get().storeHandle(session);
  }

  public static void attach(Session session, Object handle) {
    get().keepStoreHandle(session, handle);
  }
}
