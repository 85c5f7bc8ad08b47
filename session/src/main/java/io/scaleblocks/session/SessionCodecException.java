package io.scaleblocks.session;

/**
 * A stored attribute value could not be decoded (garbled bytes, a value written by another
 * codec). The message names the session (by the first characters of its id, never the whole
 * credential) and the attribute. Only the read of that attribute fails; the session stays usable.
 */
public final class SessionCodecException extends SessionException {
  private static final long serialVersionUID = 1L;
  private final String attribute;

  public SessionCodecException(String sessionId, String attribute, Throwable cause) {
    super("session " + Session.abbreviate(sessionId) + ": attribute '" + attribute
        + "' could not be decoded: " + cause.getMessage(), cause);
    this.attribute = attribute;
  }

  /** The attribute whose value is garbled. */
  public String attribute() {
    return attribute;
  }
}
