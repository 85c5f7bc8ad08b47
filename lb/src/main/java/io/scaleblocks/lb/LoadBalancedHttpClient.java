package io.scaleblocks.lb;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * A {@link HttpClient} front that sends each request to an endpoint of a {@link LoadBalancer}
 * of base {@link URI}s ({@code http://10.0.0.7:8080}) and fails over to another endpoint.
 *
 * <p>Requests name a path, not a server: build them with {@link #request(String)} (or any
 * absolute URI: its scheme and authority are replaced by the endpoint's, its path and query
 * kept). Idempotent
 * requests (GET, HEAD, OPTIONS, PUT, DELETE) are retried on connection failures, timeouts and
 * 5xx answers; other methods only when the connection could not be opened, since then the
 * server cannot have seen them. When every try answered 5xx, the last answer is returned rather
 * than an exception. Each try is limited to the policy's per-try timeout. Every answer and
 * failure is reported to the balancer, so outlier detection sees 5xx answers as failures.
 *
 * <p>Thread-safe.
 */
public final class LoadBalancedHttpClient {

  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

  private final HttpClient client;
  private final FailoverExecutor<URI> executor;
  private final Duration perTryTimeout;

  private LoadBalancedHttpClient(HttpClient client, LoadBalancer<URI> balancer, RetryPolicy policy) {
    this.client = Objects.requireNonNull(client, "client");
    this.perTryTimeout = policy.perTryTimeout();
    this.executor = FailoverExecutor.of(balancer, RetryPolicy.builder()
        .maxAttempts(policy.maxAttempts())
        .perTryTimeout(policy.perTryTimeout())
        .budgetRatio(policy.budgetRatio())
        .minRetriesPerSecond(policy.minRetriesPerSecond())
        .budgetWindow(policy.budgetWindow())
        .retryOn(failure -> !(failure instanceof Final) && policy.retryOn().test(failure))
        .build());
  }

  /**
   * A request builder for {@code pathAndQuery} (such as {@code "/orders/7?full=true"}), to be
   * sent through a load-balanced client.
   */
  public static HttpRequest.Builder request(String pathAndQuery) {
    Objects.requireNonNull(pathAndQuery, "pathAndQuery");
    if (!pathAndQuery.startsWith("/")) {
      throw new IllegalArgumentException(
          "pathAndQuery must start with '/' but was '" + pathAndQuery + "'");
    }
    return HttpRequest.newBuilder(URI.create("http://load-balanced" + pathAndQuery));
  }

  /** A client over {@code balancer} with a default {@link HttpClient}. */
  public static LoadBalancedHttpClient of(LoadBalancer<URI> balancer, RetryPolicy policy) {
    return of(HttpClient.newHttpClient(), balancer, policy);
  }

  /** A client sending through {@code client}. */
  public static LoadBalancedHttpClient of(
      HttpClient client, LoadBalancer<URI> balancer, RetryPolicy policy) {
    return new LoadBalancedHttpClient(client, balancer, policy);
  }

  /**
   * Sends {@code request} and waits for the answer.
   *
   * @throws IOException when the last try failed with it (or with a timeout)
   * @throws FailoverException for other failures
   */
  public <B> HttpResponse<B> send(HttpRequest request, HttpResponse.BodyHandler<B> handler)
      throws IOException, InterruptedException {
    return send(request, handler, null);
  }

  /** As {@link #send(HttpRequest, HttpResponse.BodyHandler)}, picking by affinity {@code key}. */
  public <B> HttpResponse<B> send(
      HttpRequest request, HttpResponse.BodyHandler<B> handler, CharSequence key)
      throws IOException, InterruptedException {
    try {
      return sendAsync(request, handler, key).get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      Throwable last = cause instanceof FailoverException && cause.getCause() != null
          ? cause.getCause() : cause;
      if (last instanceof IOException io) {
        throw io;
      }
      if (last instanceof TimeoutException timeout) {
        throw new HttpTimeoutException(timeout.getMessage() == null
            ? "request timed out on every try" : timeout.getMessage());
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException(cause);
    }
  }

  /** Sends {@code request} asynchronously. */
  public <B> CompletableFuture<HttpResponse<B>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<B> handler, CharSequence key) {
    boolean idempotent = IDEMPOTENT.contains(request.method());
    return executor.<HttpResponse<B>>executeAsync(key, endpoint -> client
        .sendAsync(route(request, endpoint.address()), handler)
        .handle((response, error) -> {
          if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
            if (idempotent || neverSent(cause)) {
              throw new CompletionException(cause);
            }
            throw new Final(cause);
          }
          if (response.statusCode() >= 500) {
            throw idempotent ? new ServerError(response) : new Final(new ServerError(response));
          }
          return response;
        }))
        .exceptionallyCompose(error -> {
          Throwable cause = unwrap(error);
          if (cause instanceof FailoverException && cause.getCause() != null) {
            Throwable last = unwrap(cause.getCause());
            if (last instanceof ServerError serverError) {
              @SuppressWarnings("unchecked")
              HttpResponse<B> response = (HttpResponse<B>) serverError.response;
              return CompletableFuture.completedFuture(response);
            }
            FailoverException unwrapped =
                new FailoverException(cause.getMessage(), ((FailoverException) cause).attempts(),
                    last);
            for (Throwable earlier : cause.getSuppressed()) {
              unwrapped.addSuppressed(earlier);
            }
            return CompletableFuture.failedFuture(unwrapped);
          }
          return CompletableFuture.failedFuture(cause);
        });
  }

  private static boolean neverSent(Throwable failure) {
    return failure instanceof ConnectException || failure instanceof HttpConnectTimeoutException;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof Final)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private HttpRequest route(HttpRequest request, URI base) {
    URI target = request.uri();
    String path = target.getRawPath() == null || target.getRawPath().isEmpty()
        ? "/" : target.getRawPath();
    String query = target.getRawQuery() == null ? "" : "?" + target.getRawQuery();
    URI routed = URI.create(base.getScheme() + "://" + base.getRawAuthority() + path + query);
    HttpRequest.Builder builder = HttpRequest.newBuilder(request, (name, value) -> true).uri(routed);
    if (request.timeout().isEmpty()) {
      builder.timeout(perTryTimeout);
    }
    return builder.build();
  }

  /** A 5xx answer, carried as a failure so that the executor retries it. */
  private static final class ServerError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient HttpResponse<?> response;

    ServerError(HttpResponse<?> response) {
      super("HTTP " + response.statusCode() + " from " + response.uri(), null, false, false);
      this.response = response;
    }
  }

  /** Wraps a failure that must not be retried (a non-idempotent request that may have run). */
  private static final class Final extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Final(Throwable cause) {
      super(cause.toString(), cause, false, false);
    }
  }
}
