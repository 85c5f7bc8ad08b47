package io.scaleblocks.lb;

import java.time.Duration;

/**
 * Observes a balancer: the hook its Micrometer binder uses. Every method has an empty default.
 *
 * <p>Threads and failures: no listener method is ever called while the balancer or its group
 * holds a lock, so a listener may call back into either (pick, {@code status()}, change the
 * group) from any thread. State changes ({@link #onHealthChange}, {@link #onEjection},
 * {@link #onEndpointRemoved}) are delivered after the new routing state is published, one at a
 * time and in the order they happened for this balancer: a health verdict or an ejection on the
 * thread that made it (a health-check thread, the refresh thread, a caller reporting a failed
 * call) or on one that was delivering earlier events of the same balancer;
 * {@link #onEndpointRemoved}, since the group hands the balancer its changes under the group's
 * delivery lock, on the balancer's own event thread ({@code scaleblocks-lb-<name>-events}, or
 * the executor given to {@link LoadBalancerBuilder#eventExecutor}) or on one delivering earlier
 * events. A listener that blocks there holds up only this balancer's later events.
 * {@link #onPick}, {@link #onRetry} and {@link #onRetryBudgetExhausted} run at once on the
 * thread that runs the failover loop: the caller's for a pick or {@link FailoverExecutor#execute},
 * for {@link FailoverExecutor#executeAsync} the thread that completed the failed try, or, after a
 * per-try timeout, a thread of the {@link FailoverExecutor}'s retry executor (by default the
 * library's {@code scaleblocks-lb-retries-<n>} daemon threads). Each listener is called in its
 * own {@code try}: what it throws is logged and never reaches a pick, a call, a health check or
 * another listener.
 *
 * <p>{@link #onPick} runs on the hot path and must not block or allocate.
 */
public interface LoadBalancerListener<T> {

  /** A pick returned {@code endpoint} (a retry's choice included). */
  default void onPick(Endpoint<T> endpoint) {}

  /** Active health checking changed its verdict on {@code endpoint}. */
  default void onHealthChange(Endpoint<T> endpoint, boolean healthy) {}

  /** Outlier detection ejected {@code endpoint} for {@code duration}. */
  default void onEjection(Endpoint<T> endpoint, Duration duration) {}

  /** {@code endpoint} left the group; the balancer no longer routes to it. */
  default void onEndpointRemoved(Endpoint<T> endpoint) {}

  /** A failed call on {@code failed} is retried on another endpoint. */
  default void onRetry(Endpoint<T> failed) {}

  /** A failed call on {@code failed} was not retried because the retry budget is spent. */
  default void onRetryBudgetExhausted(Endpoint<T> failed) {}
}
