package io.scaleblocks.session;

import java.util.List;

/**
 * A {@link SessionStore#save} was refused, with none of its changes applied, because the session
 * changed underneath it. Retry by finding the session again and redoing the request's changes.
 *
 * <p>The rule: every attribute carries the version at which it was last written. A save writes
 * an attribute only if its stored version is still the one this request loaded (or it is still
 * absent, if it was absent); the first save wins, a later save that wrote the same attribute from
 * the older version gets this exception. Saves that touch <em>different</em> attributes never
 * conflict. {@link Reason#SESSION_GONE}: the session expired, was deleted or got a new id while
 * the request ran.
 */
public final class SessionConflictException extends SessionException {
  private static final long serialVersionUID = 1L;

  /** Why the save was refused. */
  public enum Reason { ATTRIBUTE_CHANGED, SESSION_GONE }

  private final Reason reason;
  private final List<String> attributes;

  public SessionConflictException(String sessionId, Reason reason, List<String> attributes) {
    super("session " + Session.abbreviate(sessionId) + ": save refused, "
        + (reason == Reason.SESSION_GONE
            ? "the session expired, was deleted or got a new id"
            : "attributes " + attributes + " were changed by another request since it was loaded"));
    this.reason = reason;
    this.attributes = List.copyOf(attributes);
  }

  public Reason reason() {
    return reason;
  }

  /** The attributes another request wrote first (empty for {@link Reason#SESSION_GONE}). */
  public List<String> attributes() {
    return attributes;
  }
}
