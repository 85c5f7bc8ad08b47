package io.scaleblocks.session;

/**
 * The store could not be reached or failed the command (Redis down, a JDBC connection refused, a
 * timeout). Nothing of the failed call is known to be applied; what an earlier call saved is kept
 * by the store. The web filters answer {@code 503 Service Unavailable}.
 */
public class SessionStoreException extends SessionException {
  private static final long serialVersionUID = 1L;

  public SessionStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
