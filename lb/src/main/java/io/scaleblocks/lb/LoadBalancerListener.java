package io.scaleblocks.lb;

import java.time.Duration;

/**
 * Observes a balancer: the hook its Micrometer binder uses. Every method has an empty default;
 * {@link #onPick} runs on the hot path and must not block or allocate.
 */
public interface LoadBalancerListener<T> {

  /** A pick returned {@code endpoint}. */
  default void onPick(Endpoint<T> endpoint) {}

  /** Active health checking changed its verdict on {@code endpoint}. */
  default void onHealthChange(Endpoint<T> endpoint, boolean healthy) {}

  /** Outlier detection ejected {@code endpoint} for {@code duration}. */
  default void onEjection(Endpoint<T> endpoint, Duration duration) {}

  /** A failed call on {@code failed} is retried on another endpoint. */
  default void onRetry(Endpoint<T> failed) {}

  /** A failed call on {@code failed} was not retried because the retry budget is spent. */
  default void onRetryBudgetExhausted(Endpoint<T> failed) {}
}
