package io.scaleblocks.cache;

/** A remote tier is unavailable: down, slow, refusing, or its circuit breaker is open. */
public final class CacheBackendException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CacheBackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
