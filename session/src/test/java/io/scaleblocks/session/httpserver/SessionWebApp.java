package io.scaleblocks.session.httpserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionAttribute;
import io.scaleblocks.session.SessionCookieConfig;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStoreException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A JDK HttpServer on a loopback port whose handlers use sessions through {@link HttpSessionFilter}. */
public final class SessionWebApp implements AutoCloseable {

  public static final SessionAttribute<Long> COUNT = SessionAttribute.longValue("count");

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(64);
  public final HttpSessionFilter filter;
  /** Runs when {@code /count-retrying} caught a store failure, before it asks again. */
  public volatile Runnable onStoreFailure = () -> { };

  public SessionWebApp(SessionStore store, Clock clock) throws IOException {
    filter = HttpSessionFilter.builder(store).clock(clock)
        .cookie(SessionCookieConfig.builder().secure(false).build()).build();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    server.setExecutor(executor);
    server.createContext("/", this::handle).getFilters().add(filter);
    server.start();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String query = Optional.ofNullable(exchange.getRequestURI().getQuery()).orElse("");
    String arg = query.contains("=") ? query.substring(query.indexOf('=') + 1) : "";
    String body;
    switch (path) {
      case "/set" -> {
        filter.session(exchange).set(SessionAttribute.string(arg), arg);
        body = "ok";
      }
      case "/get" -> body = filter.existingSession(exchange)
          .flatMap(s -> s.get(SessionAttribute.string(arg))).orElse("-");
      case "/count" -> {
        Session s = filter.session(exchange);
        long next = s.get(COUNT).orElse(0L) + 1;
        s.set(COUNT, next);
        body = Long.toString(next);
      }
      case "/count-retrying" -> {
        Session s = null;
        for (int attempt = 1; s == null; attempt++) {
          try {
            s = filter.session(exchange);
          } catch (SessionStoreException e) {
            if (attempt == 3) {
              throw e;
            }
            onStoreFailure.run();
          }
        }
        long next = s.get(COUNT).orElse(0L) + 1;
        s.set(COUNT, next);
        body = Long.toString(next);
      }
      case "/login" -> {
        filter.session(exchange).setPrincipal(arg);
        filter.rotateId(exchange);
        body = "welcome " + arg;
      }
      case "/logout" -> {
        filter.invalidate(exchange);
        body = "bye";
      }
      case "/names" -> body = filter.existingSession(exchange).map(s -> String.join(",", s.attributeNames()))
          .orElse("-");
      case "/late" -> {
        byte[] early = "sent".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, early.length);
        filter.session(exchange).set(SessionAttribute.string("late"), "kept");
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(early);
        }
        return;
      }
      case "/boom" -> {
        filter.session(exchange).set(SessionAttribute.string("before-boom"), "kept");
        throw new IllegalStateException("the handler failed");
      }
      default -> body = "no session used";
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  public URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery);
  }

  /** A client that keeps cookies, like a browser. */
  public static HttpClient browser() {
    return HttpClient.newBuilder().cookieHandler(new CookieManager()).connectTimeout(Duration.ofSeconds(5)).build();
  }

  public static HttpResponse<String> get(HttpClient client, URI uri) {
    try {
      return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
