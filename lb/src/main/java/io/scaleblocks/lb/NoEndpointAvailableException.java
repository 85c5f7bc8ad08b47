package io.scaleblocks.lb;

/**
 * Thrown by a pick when there is nothing to pick: the group is empty, or every endpoint is
 * unhealthy and panic routing is switched off.
 */
public final class NoEndpointAvailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  NoEndpointAvailableException(String message) {
    super(message);
  }
}
