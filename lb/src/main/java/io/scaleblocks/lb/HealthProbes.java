package io.scaleblocks.lb;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Objects;

/**
 * Built-in {@link HealthProbe}s. They understand endpoint addresses of type {@link URI}
 * ({@code http://host:port}), {@link InetSocketAddress} and {@code "host:port"} strings.
 */
public final class HealthProbes {

  /** The most of a health answer's body the HTTP probe reads. */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private HealthProbes() {}

  /** Healthy when a TCP connection to the endpoint opens within the timeout. */
  public static HealthProbe tcp() {
    return (endpoint, timeout) -> {
      try (Socket socket = new Socket()) {
        socket.connect(socketAddress(endpoint.address()), timeoutMillis(timeout));
        return true;
      } catch (IOException e) {
        return false;
      }
    };
  }

  /**
   * Healthy when {@code GET path} answers {@code expectedStatus}, headers and body, within the
   * timeout. At most {@link #MAX_BODY_BYTES} of the body are read; the rest is dropped with the
   * connection. A server that sends its headers and then stalls fails the probe at the timeout.
   *
   * @param path an absolute path such as {@code "/health"}, appended to the endpoint URI's base
   *     path ({@code http://10.0.0.7:8080/api} is probed at {@code /api/health})
   */
  public static HealthProbe http(String path, int expectedStatus) {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/' but was '" + path + "'");
    }
    if (expectedStatus < 100 || expectedStatus > 599) {
      throw new IllegalArgumentException(
          "expectedStatus must be an HTTP status but was " + expectedStatus);
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return (endpoint, timeout) -> {
      URI uri = probeUri(baseUri(endpoint.address()), path);
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
      CompletableFuture<HttpResponse<Void>> answer =
          client.sendAsync(request, info -> new BoundedDiscard(MAX_BODY_BYTES));
      try {
        return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS).statusCode() == expectedStatus;
      } catch (TimeoutException | ExecutionException e) {
        return false;
      } finally {
        answer.cancel(true);
      }
    };
  }

  /** Reads and drops a body, completing at its end or once {@code limit} bytes have come. */
  private static final class BoundedDiscard implements HttpResponse.BodySubscriber<Void> {
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final long limit;
    private long seen;
    private Flow.Subscription subscription;

    BoundedDiscard(long limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<Void> getBody() {
      return done;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      for (ByteBuffer buffer : buffers) {
        seen += buffer.remaining();
      }
      if (seen >= limit) {
        subscription.cancel();
        done.complete(null);
      }
    }

    @Override
    public void onError(Throwable error) {
      done.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }
  }

  static InetSocketAddress socketAddress(Object address) {
    if (address instanceof InetSocketAddress socketAddress) {
      return socketAddress;
    }
    if (address instanceof URI uri) {
      int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
      return new InetSocketAddress(uri.getHost(), port);
    }
    String text = address.toString();
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("cannot find host:port in endpoint address " + text);
    }
    return new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
  }

  static URI baseUri(Object address) {
    if (address instanceof URI uri) {
      return uri;
    }
    InetSocketAddress socket = socketAddress(address);
    return URI.create("http://" + socket.getHostString() + ":" + socket.getPort() + "/");
  }

  /**
   * {@code path} appended to the base URI's path, as {@link LoadBalancedHttpClient} routes a
   * request: {@code http://host:8080/api} and {@code "/health"} give {@code /api/health}.
   */
  static URI probeUri(URI base, String path) {
    String basePath = base.getRawPath() == null ? "" : base.getRawPath();
    if (basePath.endsWith("/")) {
      basePath = basePath.substring(0, basePath.length() - 1);
    }
    return URI.create(base.getScheme() + "://" + base.getRawAuthority() + basePath + path);
  }

  private static int timeoutMillis(Duration timeout) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
  }
}
