package io.scaleblocks.lb;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * Built-in {@link HealthProbe}s. They understand endpoint addresses of type {@link URI}
 * ({@code http://host:port}), {@link InetSocketAddress} and {@code "host:port"} strings.
 */
public final class HealthProbes {

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
   * Healthy when {@code GET path} answers {@code expectedStatus} within the timeout.
   *
   * @param path an absolute path such as {@code "/health"}
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
      URI uri = baseUri(endpoint.address()).resolve(path);
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
      try {
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()
            == expectedStatus;
      } catch (IOException e) {
        return false;
      }
    };
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

  private static int timeoutMillis(Duration timeout) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
  }
}
