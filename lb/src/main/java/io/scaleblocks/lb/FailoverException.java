package io.scaleblocks.lb;

/**
 * A call failed on every endpoint it was tried on. The cause is the last failure; earlier ones
 * are suppressed exceptions, in order.
 */
public final class FailoverException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int attempts;

  FailoverException(String message, int attempts, Throwable cause) {
    super(message, cause);
    this.attempts = attempts;
  }

  /** How many endpoints were tried. */
  public int attempts() {
    return attempts;
  }
}
