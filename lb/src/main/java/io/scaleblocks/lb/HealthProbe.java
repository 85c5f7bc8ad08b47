package io.scaleblocks.lb;

import java.time.Duration;

/**
 * One active health check of one endpoint. Built-in probes are in {@link HealthProbes}; any
 * lambda will do for a custom check. A probe runs on the health checker's own threads, never on
 * a caller's, and is called for one endpoint at a time (probes of different endpoints run
 * concurrently). The checker enforces the timeout: a probe still running then is interrupted
 * and counts as a failure, and the endpoint's next probes fail without starting until it
 * returns. A probe should still honour its timeout, so it does not hold a thread.
 */
@FunctionalInterface
public interface HealthProbe {

  /**
   * Whether {@code endpoint} is healthy. Throwing counts as unhealthy.
   *
   * @param timeout how long the probe may take; the checker counts a slower answer as a failure
   */
  boolean check(Endpoint<?> endpoint, Duration timeout) throws Exception;
}
