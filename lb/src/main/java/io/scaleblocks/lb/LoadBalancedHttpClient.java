package io.scaleblocks.lb;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * A {@link HttpClient} front that sends each request to an endpoint of a {@link LoadBalancer}
 * of base {@link URI}s ({@code http://10.0.0.7:8080}, or with a base path,
 * {@code http://10.0.0.7:8080/api}) and fails over to another endpoint.
 *
 * <p>Requests name a path, not a server: build them with {@link #request(String)} (or any
 * absolute URI: its scheme and authority are replaced by the endpoint's, its path is appended to
 * the endpoint's base path, its query kept).
 *
 * <p>Retries: idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE) are retried on connection
 * failures, timeouts and 5xx answers. Any other method is retried only when the connection
 * could not be opened ({@link ConnectException}, {@link HttpConnectTimeoutException}): once its
 * bytes may have left, a POST is never sent again, whether it then timed out, lost its
 * connection or answered 5xx. When the last try answered 5xx, that answer is returned rather than
 * an exception; the bodies of the 5xx answers that were retried are closed. Every answer and
 * failure is reported to the balancer, so outlier detection sees 5xx answers as failures.
 *
 * <p>Timeouts: the policy's per-try timeout is the one timer of a try, from sending the request
 * to the body handler's result; a try still running then is cancelled. A request that sets its
 * own {@link HttpRequest#timeout()} keeps it as the JDK's limit on waiting for the headers.
 *
 * <p>Thread-safe.
 */
public final class LoadBalancedHttpClient {

  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

  private final HttpClient client;
  private final FailoverExecutor<URI> executor;

  private LoadBalancedHttpClient(HttpClient client, LoadBalancer<URI> balancer, RetryPolicy policy) {
    this.client = Objects.requireNonNull(client, "client");
    this.executor = FailoverExecutor.of(balancer, policy);
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
   * @throws IOException when the last try failed with one, or timed out
   *     ({@link HttpTimeoutException}); of the same kind as that failure, with a message naming
   *     the endpoints tried and the number of tries, caused by the {@link FailoverException}
   *     whose cause is that failure
   * @throws FailoverException for other failures
   * @throws NoEndpointAvailableException when there is no endpoint to send to
   */
  public <B> HttpResponse<B> send(HttpRequest request, HttpResponse.BodyHandler<B> handler)
      throws IOException, InterruptedException {
    return send(request, handler, null);
  }

  /** As {@link #send(HttpRequest, HttpResponse.BodyHandler)}, picking by affinity {@code key}. */
  public <B> HttpResponse<B> send(
      HttpRequest request, HttpResponse.BodyHandler<B> handler, CharSequence key)
      throws IOException, InterruptedException {
    CompletableFuture<HttpResponse<B>> answer = sendAsync(request, handler, key);
    try {
      return answer.get();
    } catch (InterruptedException e) {
      answer.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof FailoverException failover) {
        throw asIoException(failover);
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException(cause);
    }
  }

  /**
   * Sends {@code request} asynchronously.
   *
   * @return a future failed with {@link FailoverException} (whose cause is the last failure) or
   *     {@link NoEndpointAvailableException}
   */
  public <B> CompletableFuture<HttpResponse<B>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<B> handler, CharSequence key) {
    boolean idempotent = IDEMPOTENT.contains(request.method());
    Predicate<Throwable> retryOn = executor.policy().retryOn();
    Predicate<Throwable> retryable = failure ->
        (idempotent || neverSent(failure)) && retryOn.test(failure);
    AtomicReference<HttpResponse<?>> retriedAnswer = new AtomicReference<>();
    return executor.<HttpResponse<B>>executeAsync(key, endpoint -> {
      close(retriedAnswer.getAndSet(null));
      CompletableFuture<HttpResponse<B>> sent =
          client.sendAsync(route(request, endpoint.address()), handler);
      CompletableFuture<HttpResponse<B>> answered = sent.thenApply(response -> {
        if (response.statusCode() >= 500) {
          retriedAnswer.set(response);
          throw new ServerError(response);
        }
        return response;
      });
      answered.whenComplete((response, error) -> {
        if (answered.isCancelled()) {
          sent.cancel(true);
        }
      });
      return answered;
    }, retryable).exceptionallyCompose(error -> {
      Throwable cause = error instanceof CompletionException && error.getCause() != null
          ? error.getCause() : error;
      if (cause instanceof FailoverException && cause.getCause() instanceof ServerError last) {
        @SuppressWarnings("unchecked")
        HttpResponse<B> response = (HttpResponse<B>) last.response;
        return CompletableFuture.completedFuture(response);
      }
      close(retriedAnswer.getAndSet(null));
      return CompletableFuture.failedFuture(cause);
    });
  }

  private static boolean neverSent(Throwable failure) {
    return failure instanceof ConnectException || failure instanceof HttpConnectTimeoutException;
  }

  private static void close(HttpResponse<?> response) {
    if (response != null && response.body() instanceof AutoCloseable body) {
      try {
        body.close();
      } catch (Exception e) {
        // the answer is dropped either way; closing only gives its connection back
      }
    }
  }

  private static IOException asIoException(FailoverException failover) {
    Throwable last = failover.getCause();
    String message = failover.getMessage();
    IOException io;
    if (last instanceof HttpConnectTimeoutException) {
      io = new HttpConnectTimeoutException(message);
    } else if (last instanceof HttpTimeoutException || last instanceof TimeoutException) {
      io = new HttpTimeoutException(message);
    } else if (last instanceof ConnectException) {
      io = new ConnectException(message);
    } else {
      io = new IOException(message);
    }
    io.initCause(failover);
    return io;
  }

  private static HttpRequest route(HttpRequest request, URI base) {
    URI target = request.uri();
    String basePath = base.getRawPath() == null ? "" : base.getRawPath();
    if (basePath.endsWith("/")) {
      basePath = basePath.substring(0, basePath.length() - 1);
    }
    String path = target.getRawPath() == null || target.getRawPath().isEmpty()
        ? "/" : target.getRawPath();
    String query = target.getRawQuery() == null ? "" : "?" + target.getRawQuery();
    URI routed = URI.create(
        base.getScheme() + "://" + base.getRawAuthority() + basePath + path + query);
    return HttpRequest.newBuilder(request, (name, value) -> true).uri(routed).build();
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
}
