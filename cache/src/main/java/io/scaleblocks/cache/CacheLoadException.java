package io.scaleblocks.cache;

/** The loader or the store failed; the cause is what it threw. */
public final class CacheLoadException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CacheLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
