package io.scaleblocks.lb;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Runs a call on an endpoint of a {@link LoadBalancer} and, when it fails, retries it on another
 * endpoint, under a {@link RetryPolicy}.
 *
 * <p>Guarantees: a retry goes to an endpoint not tried yet when there is one, preferring one
 * that is neither unhealthy nor ejected (also in panic), and never to the endpoint that just
 * failed (with a single endpoint there is no retry); with locality routing the second try stays
 * in the zone and later tries go to the nearest other zone, so a data center that just died
 * costs no request; at most {@code maxAttempts} tries; no retry once the retry budget is spent,
 * so an outage cannot multiply the load; every try is reported to the balancer
 * ({@link LoadBalancer#callStarted}, {@link LoadBalancer#callFinished}), which feeds
 * least-request and outlier detection. When the last try fails, the {@link FailoverException}
 * names the endpoints tried and the number of tries, with the last failure as its cause.
 *
 * <p>Timeouts: the synchronous {@link #execute} hands each try its timeout and relies on the call
 * to honour it. {@link #executeAsync} enforces it: a try still running at its timeout is
 * cancelled ({@code cancel(true)} on its future, which for {@link LoadBalancedHttpClient} aborts
 * the exchange) and fails with a {@link TimeoutException}; it counts in flight until that
 * cancellation, and its retry runs on the executor's retry {@link Executor}, never on the timer
 * thread: the retried call itself (and the listeners' {@code onRetry} and {@code onPick} for it)
 * then runs on a thread of that executor. By default that is a cached pool of daemon threads
 * named {@code scaleblocks-lb-retries-<n>}, shared by every executor of the library and used for
 * nothing else: a call that blocks there holds up only its own thread, and a saturated
 * {@link java.util.concurrent.ForkJoinPool#commonPool()} delays no retry. {@link #of(LoadBalancer,
 * RetryPolicy, Executor)} takes another (a bounded pool, a virtual-thread executor).
 * Cancelling the future {@code executeAsync} returned cancels the running try and starts no
 * other.
 *
 * <p>Thread-safe; one executor serves any number of concurrent calls. Both loops share
 * one implementation of the retry steps, so they decide alike.
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

  /** Times per-try timeouts; it only cancels the late try and hands the retry to the retries. */
  private static final ScheduledThreadPoolExecutor TIMER = timer();

  /** The default retry executor, made on first use. */
  private static final class SharedRetries {
    private static final AtomicInteger THREADS = new AtomicInteger();
    static final ExecutorService POOL = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "scaleblocks-lb-retries-" + THREADS.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  private final LoadBalancer<T> balancer;
  private final RetryPolicy policy;
  private final RetryBudget budget;
  private final Executor retries;

  private FailoverExecutor(LoadBalancer<T> balancer, RetryPolicy policy, LongSupplier ticker,
      Executor retries) {
    this.balancer = Objects.requireNonNull(balancer, "balancer");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.retries = Objects.requireNonNull(retries, "retries");
    this.budget = new RetryBudget(policy, ticker);
  }

  /**
   * An executor over {@code balancer} whose retries after a per-try timeout run on the library's
   * shared daemon pool ({@code scaleblocks-lb-retries-<n>}).
   */
  public static <T> FailoverExecutor<T> of(LoadBalancer<T> balancer, RetryPolicy policy) {
    return new FailoverExecutor<>(balancer, policy, System::nanoTime, SharedRetries.POOL);
  }

  /**
   * An executor over {@code balancer} whose retries after a per-try timeout run on
   * {@code retries} (not shut down by the library). A retry the executor rejects fails the call
   * with the {@link java.util.concurrent.RejectedExecutionException}.
   */
  public static <T> FailoverExecutor<T> of(
      LoadBalancer<T> balancer, RetryPolicy policy, Executor retries) {
    return new FailoverExecutor<>(balancer, policy, System::nanoTime, retries);
  }

  static <T> FailoverExecutor<T> of(
      LoadBalancer<T> balancer, RetryPolicy policy, LongSupplier ticker) {
    return new FailoverExecutor<>(balancer, policy, ticker, SharedRetries.POOL);
  }

  RetryPolicy policy() {
    return policy;
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
    RetryLoop<T> loop = new RetryLoop<>(balancer, policy, budget, policy.retryOn(), key);
    Endpoint<T> endpoint = loop.first();
    while (true) {
      Exception failure;
      boolean ok = false;
      balancer.callStarted(endpoint);
      try {
        R result = call.call(endpoint, policy.perTryTimeout());
        ok = true;
        return result;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw loop.interrupted(e);
      } catch (Exception e) {
        failure = e;
      } finally {
        balancer.callFinished(endpoint, ok);
      }
      endpoint = loop.next(failure);
      if (endpoint == null) {
        throw loop.failure();
      }
    }
  }

  /** As {@link #executeAsync(CharSequence, Function)} without an affinity key. */
  public <R> CompletableFuture<R> executeAsync(Function<Endpoint<T>, CompletionStage<R>> call) {
    return executeAsync(null, call);
  }

  /**
   * Runs {@code call} on the endpoint picked for {@code key}, failing over as the policy allows;
   * a try that has not completed within the per-try timeout is cancelled, fails with a
   * {@link TimeoutException} and is retried if the policy's {@code retryOn} accepts that.
   *
   * @return a future failed with {@link FailoverException} when the last try failed, or with
   *     {@link NoEndpointAvailableException} when there is no endpoint to start with
   */
  public <R> CompletableFuture<R> executeAsync(
      CharSequence key, Function<Endpoint<T>, CompletionStage<R>> call) {
    return executeAsync(key, call, policy.retryOn());
  }

  /** As {@link #executeAsync(CharSequence, Function)}, retrying what {@code retryable} accepts. */
  <R> CompletableFuture<R> executeAsync(CharSequence key,
      Function<Endpoint<T>, CompletionStage<R>> call, Predicate<Throwable> retryable) {
    Objects.requireNonNull(call, "call");
    CompletableFuture<R> result = new CompletableFuture<>();
    RetryLoop<T> loop = new RetryLoop<>(balancer, policy, budget, retryable, key);
    Endpoint<T> first;
    try {
      first = loop.first();
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return result;
    }
    new AsyncCall<>(this, loop, call, result).attempt(first);
    return result;
  }

  /** The tries of one asynchronous call, one after the other. */
  private static final class AsyncCall<T, R> {
    private final FailoverExecutor<T> executor;
    private final RetryLoop<T> loop;
    private final Function<Endpoint<T>, CompletionStage<R>> call;
    private final CompletableFuture<R> result;
    private volatile CompletableFuture<R> current;

    AsyncCall(FailoverExecutor<T> executor, RetryLoop<T> loop,
        Function<Endpoint<T>, CompletionStage<R>> call, CompletableFuture<R> result) {
      this.executor = executor;
      this.loop = loop;
      this.call = call;
      this.result = result;
      result.whenComplete((value, error) -> {
        CompletableFuture<R> running = current;
        if (result.isCancelled() && running != null) {
          running.cancel(true);
        }
      });
    }

    void attempt(Endpoint<T> endpoint) {
      if (result.isDone()) {
        return;
      }
      executor.balancer.callStarted(endpoint);
      CompletableFuture<R> tried;
      try {
        tried = call.apply(endpoint).toCompletableFuture();
      } catch (RuntimeException e) {
        tried = CompletableFuture.failedFuture(e);
      }
      current = tried;
      if (result.isCancelled()) {
        tried.cancel(true);
      }
      AtomicBoolean settled = new AtomicBoolean();
      Duration timeout = executor.policy.perTryTimeout();
      CompletableFuture<R> running = tried;
      ScheduledFuture<?> timer = tried.isDone() ? null : TIMER.schedule(() -> {
        if (settled.compareAndSet(false, true)) {
          running.cancel(true);
          TimeoutException late = new TimeoutException(
              "no answer from " + endpoint.id() + " within the per-try timeout of " + timeout);
          try {
            executor.retries.execute(() -> failed(late));
          } catch (RuntimeException rejected) {
            rejected.addSuppressed(late);
            result.completeExceptionally(rejected);
          }
        }
      }, timeout.toNanos(), TimeUnit.NANOSECONDS);
      tried.whenComplete((value, error) -> {
        executor.balancer.callFinished(endpoint, error == null);
        if (timer != null) {
          timer.cancel(false);
        }
        if (!settled.compareAndSet(false, true)) {
          return;
        }
        if (error == null) {
          result.complete(value);
        } else {
          failed(error instanceof CompletionException && error.getCause() != null
              ? error.getCause() : error);
        }
      });
    }

    private void failed(Throwable failure) {
      try {
        if (result.isDone()) {
          return;
        }
        Endpoint<T> next = loop.next(failure);
        if (next == null) {
          result.completeExceptionally(loop.failure());
        } else {
          attempt(next);
        }
      } catch (RuntimeException | Error unexpected) {
        result.completeExceptionally(unexpected);
      }
    }
  }

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "scaleblocks-lb-try-timeouts");
      thread.setDaemon(true);
      return thread;
    });
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }
}
