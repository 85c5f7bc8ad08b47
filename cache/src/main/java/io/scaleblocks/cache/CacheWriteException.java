package io.scaleblocks.cache;

/** The store refused a write or delete; the cache was left unchanged. The cause is what it threw. */
public final class CacheWriteException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CacheWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
