package io.scaleblocks.lb;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The steps of one call with failover, shared by the synchronous and the asynchronous loop of
 * {@link FailoverExecutor}: the first pick, the decision after each failure (attempts left, the
 * failure retryable, a budget token, an endpoint to go to, in that order) and the exception that
 * ends the call. Only how a try runs differs between the two loops.
 *
 * <p>One loop per call; not thread-safe, but the asynchronous loop hands it from try to try with
 * a happens-before edge (a future's completion).
 */
final class RetryLoop<T> {

  private final LoadBalancer<T> balancer;
  private final RetryPolicy policy;
  private final RetryBudget budget;
  private final Predicate<Throwable> retryable;
  private final CharSequence key;
  private final List<Endpoint<T>> tried;
  private final List<Throwable> failures;

  RetryLoop(LoadBalancer<T> balancer, RetryPolicy policy, RetryBudget budget,
      Predicate<Throwable> retryable, CharSequence key) {
    this.balancer = balancer;
    this.policy = policy;
    this.budget = budget;
    this.retryable = retryable;
    this.key = key;
    this.tried = new ArrayList<>(policy.maxAttempts());
    this.failures = new ArrayList<>(1);
  }

  /**
   * The endpoint of the first try.
   *
   * @throws NoEndpointAvailableException when there is none
   */
  Endpoint<T> first() {
    budget.deposit();
    Endpoint<T> endpoint = balancer.pick(key);
    tried.add(endpoint);
    return endpoint;
  }

  /** The endpoint of the next try after the current one failed with {@code failure}, or null. */
  Endpoint<T> next(Throwable failure) {
    failures.add(failure);
    Endpoint<T> failed = tried.get(tried.size() - 1);
    if (tried.size() >= policy.maxAttempts() || !retryable.test(failure)) {
      return null;
    }
    if (!budget.tryWithdraw()) {
      deliver(listener -> listener.onRetryBudgetExhausted(failed));
      return null;
    }
    Endpoint<T> next;
    try {
      next = pickNext();
    } catch (NoEndpointAvailableException e) {
      next = null;
    }
    if (next == null) {
      budget.refund();
      return null;
    }
    deliver(listener -> listener.onRetry(failed));
    tried.add(next);
    return next;
  }

  /** The exception that ends the call: the last failure as cause, the earlier ones suppressed. */
  FailoverException failure() {
    int attempts = tried.size();
    Throwable last = failures.get(failures.size() - 1);
    StringBuilder on = new StringBuilder();
    for (Endpoint<T> endpoint : tried) {
      on.append(on.length() == 0 ? "" : ", ").append(endpoint.id());
    }
    FailoverException exception = new FailoverException("call failed after " + attempts
        + (attempts == 1 ? " try" : " tries") + " (on " + on + "): " + last, attempts, last);
    for (int i = 0; i < failures.size() - 1; i++) {
      exception.addSuppressed(failures.get(i));
    }
    return exception;
  }

  /** The exception that ends the call after {@code interrupted}, which is not retried. */
  FailoverException interrupted(InterruptedException interrupted) {
    failures.add(interrupted);
    return failure();
  }

  private Endpoint<T> pickNext() {
    if (balancer instanceof HealthAwareLoadBalancer<T> known) {
      return known.pickForRetry(tried, key, tried.size() >= 2);
    }
    Endpoint<T> last = tried.get(tried.size() - 1);
    Endpoint<T> other = null;
    for (int i = 0; i < 8; i++) {
      Endpoint<T> endpoint = balancer.pick(key);
      if (!RetryPicker.contains(tried, endpoint)) {
        return endpoint;
      }
      if (other == null && !endpoint.address().equals(last.address())) {
        other = endpoint;
      }
    }
    return other;
  }

  private void deliver(Consumer<LoadBalancerListener<T>> event) {
    if (balancer instanceof HealthAwareLoadBalancer<T> known) {
      known.events().deliver(event);
    }
  }
}
