package io.scaleblocks.lb;

import java.time.Duration;

/**
 * One active health check of one endpoint. Built-in probes are in {@link HealthProbes}; any
 * lambda will do for a custom check. A probe may block up to {@code timeout}; it runs on the
 * health checker's own threads, never on a caller's.
 */
@FunctionalInterface
public interface HealthProbe {

  /**
   * Whether {@code endpoint} is healthy. Throwing counts as unhealthy.
   *
   * @param timeout how long the probe may take; a slower answer is a failure
   */
  boolean check(Endpoint<?> endpoint, Duration timeout) throws Exception;
}
