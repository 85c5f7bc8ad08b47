package io.scaleblocks.lb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Runs a call on an endpoint of a {@link LoadBalancer} and, when it fails, retries it on another
 * endpoint, under a {@link RetryPolicy}.
 *
 * <p>Guarantees: a retry never goes to the endpoint that just failed (with a single available
 * endpoint there is no retry); with locality routing the second try stays in the zone and later
 * tries go to the nearest other zone, so a data center that just died costs no request; at most {@code maxAttempts} tries; no retry once the retry budget
 * is spent, so an outage cannot multiply the load; every try is reported to the balancer
 * ({@link LoadBalancer#callStarted}, {@link LoadBalancer#callFinished}), which feeds
 * least-request and outlier detection. The synchronous {@link #execute} hands each try its
 * timeout and relies on the call to honour it; {@link #executeAsync} enforces it.
 *
 * <p>Thread-safe; one executor serves any number of concurrent calls.
 *
 * @param <T> the address type
 */
public final class FailoverExecutor<T> {

  /** A call on one endpoint. */
  @FunctionalInterface
  public interface EndpointCall<T, R> {
    /**
     * Calls {@code endpoint}, taking at most {@code timeout}.
     *
     * @throws Exception any failure, retried if the policy's {@code retryOn} accepts it
     */
    R call(Endpoint<T> endpoint, Duration timeout) throws Exception;
  }

  private final LoadBalancer<T> balancer;
  private final RetryPolicy policy;
  private final RetryBudget budget;

  private FailoverExecutor(LoadBalancer<T> balancer, RetryPolicy policy, LongSupplier ticker) {
    this.balancer = Objects.requireNonNull(balancer, "balancer");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.budget = new RetryBudget(policy, ticker);
  }

  /** An executor over {@code balancer}. */
  public static <T> FailoverExecutor<T> of(LoadBalancer<T> balancer, RetryPolicy policy) {
    return new FailoverExecutor<>(balancer, policy, System::nanoTime);
  }

  static <T> FailoverExecutor<T> of(
      LoadBalancer<T> balancer, RetryPolicy policy, LongSupplier ticker) {
    return new FailoverExecutor<>(balancer, policy, ticker);
  }

  /** As {@link #execute(CharSequence, EndpointCall)} without an affinity key. */
  public <R> R execute(EndpointCall<T, R> call) {
    return execute(null, call);
  }

  /**
   * Runs {@code call} on the endpoint picked for {@code key}, failing over as the policy allows.
   *
   * @throws FailoverException when the last try failed; its cause is that failure
   * @throws NoEndpointAvailableException when there is no endpoint to start with
   */
  public <R> R execute(CharSequence key, EndpointCall<T, R> call) {
    Objects.requireNonNull(call, "call");
    budget.deposit();
    Endpoint<T> endpoint = balancer.pick(key);
    List<Throwable> failures = new ArrayList<>(1);
    for (int attempt = 1; ; attempt++) {
      boolean ok = false;
      balancer.callStarted(endpoint);
      try {
        R result = call.call(endpoint, policy.perTryTimeout());
        ok = true;
        return result;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failed(attempt, endpoint, e, failures);
      } catch (Exception e) {
        failures.add(e);
      } finally {
        balancer.callFinished(endpoint, ok);
      }
      Endpoint<T> next = nextEndpoint(attempt, endpoint, key, failures.get(failures.size() - 1));
      if (next == null) {
        throw failed(attempt, endpoint, failures.remove(failures.size() - 1), failures);
      }
      endpoint = next;
    }
  }

  /** As {@link #executeAsync(CharSequence, Function)} without an affinity key. */
  public <R> CompletableFuture<R> executeAsync(Function<Endpoint<T>, CompletionStage<R>> call) {
    return executeAsync(null, call);
  }

  /**
   * Runs {@code call} on the endpoint picked for {@code key}, failing over as the policy allows;
   * a try that has not completed within the per-try timeout fails with a
   * {@link java.util.concurrent.TimeoutException} and is retried.
   *
   * @return a future failed with {@link FailoverException} when the last try failed, or with
   *     {@link NoEndpointAvailableException} when there is no endpoint to start with
   */
  public <R> CompletableFuture<R> executeAsync(
      CharSequence key, Function<Endpoint<T>, CompletionStage<R>> call) {
    Objects.requireNonNull(call, "call");
    budget.deposit();
    CompletableFuture<R> result = new CompletableFuture<>();
    try {
      attempt(1, balancer.pick(key), key, call, result, new ArrayList<>(1));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
    return result;
  }

  private <R> void attempt(int attempt, Endpoint<T> endpoint, CharSequence key,
      Function<Endpoint<T>, CompletionStage<R>> call, CompletableFuture<R> result,
      List<Throwable> failures) {
    balancer.callStarted(endpoint);
    CompletableFuture<R> tried;
    try {
      tried = call.apply(endpoint).toCompletableFuture();
    } catch (RuntimeException e) {
      tried = CompletableFuture.failedFuture(e);
    }
    tried.copy()
        .orTimeout(policy.perTryTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete((value, error) -> {
          try {
            finish(attempt, endpoint, key, call, result, failures, value, error);
          } catch (RuntimeException | Error unexpected) {
            result.completeExceptionally(unexpected);
          }
        });
  }

  private <R> void finish(int attempt, Endpoint<T> endpoint, CharSequence key,
      Function<Endpoint<T>, CompletionStage<R>> call, CompletableFuture<R> result,
      List<Throwable> failures, R value, Throwable error) {
    balancer.callFinished(endpoint, error == null);
    if (error == null) {
      result.complete(value);
      return;
    }
    Throwable failure = error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
    failures.add(failure);
    Endpoint<T> next;
    try {
      next = nextEndpoint(attempt, endpoint, key, failure);
    } catch (NoEndpointAvailableException e) {
      next = null;
    }
    if (next == null) {
      result.completeExceptionally(
          failed(attempt, endpoint, failures.remove(failures.size() - 1), failures));
    } else {
      attempt(attempt + 1, next, key, call, result, failures);
    }
  }

  /** The endpoint of the next try, or null when the failure ends the call. */
  private Endpoint<T> nextEndpoint(
      int attempt, Endpoint<T> failed, CharSequence key, Throwable failure) {
    if (attempt >= policy.maxAttempts() || !policy.retryOn().test(failure)) {
      return null;
    }
    Endpoint<T> next = balancer instanceof HealthAwareLoadBalancer<T> known
        ? known.pickOther(failed, key, attempt >= 2)
        : pickOtherSlowly(failed, key);
    if (next == null) {
      return null;
    }
    LoadBalancerListener<T> listener = balancer instanceof HealthAwareLoadBalancer<T> known
        ? known.listener() : null;
    if (!budget.tryWithdraw()) {
      if (listener != null) {
        listener.onRetryBudgetExhausted(failed);
      }
      return null;
    }
    if (listener != null) {
      listener.onRetry(failed);
    }
    return next;
  }

  private Endpoint<T> pickOtherSlowly(Endpoint<T> failed, CharSequence key) {
    for (int i = 0; i < 8; i++) {
      Endpoint<T> endpoint = balancer.pick(key);
      if (!endpoint.address().equals(failed.address())) {
        return endpoint;
      }
    }
    return null;
  }

  private static FailoverException failed(
      int attempts, Endpoint<?> last, Throwable cause, List<Throwable> earlier) {
    FailoverException exception = new FailoverException(
        "call failed after " + attempts + (attempts == 1 ? " try" : " tries") + ", last on "
            + last.id() + ": " + cause, attempts, cause);
    earlier.forEach(exception::addSuppressed);
    return exception;
  }
}
