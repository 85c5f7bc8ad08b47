package io.scaleblocks.sharding;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A scatter-gather whose failed shards its policy does not tolerate; names each and why. */
public final class ScatterGatherException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Map<String, Throwable> failures;

  public ScatterGatherException(String message, Map<String, Throwable> failures) {
    super(message + describe(failures));
    this.failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
    failures.values().forEach(this::addSuppressed);
  }

  private static String describe(Map<String, Throwable> failures) {
    StringBuilder s = new StringBuilder();
    failures.forEach((shard, cause) -> s.append("; ").append(shard).append(": ").append(cause));
    return s.toString();
  }

  /** The failed shards by id, with their causes. */
  public Map<String, Throwable> failures() {
    return failures;
  }
}
