package io.scaleblocks.lb;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP server on 127.0.0.1 whose faults a test switches on: slow answers, a status, a
 * {@code /health} that sends its headers and then stalls. Every request that carries an
 * {@code X-Request-Id} header is counted in a map shared by all servers of a test, so a test can
 * tell whether any request reached the servers twice.
 */
final class FaultyHttpServer implements AutoCloseable {

  static {
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  final String name;
  final AtomicLong served = new AtomicLong();
  final Map<String, AtomicInteger> received;
  final String basePath;
  volatile long delayMillis;
  volatile int status = 200;
  volatile boolean healthStalls;
  volatile String lastPath;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "faulty-http-server");
    thread.setDaemon(true);
    return thread;
  });

  FaultyHttpServer(String name, Map<String, AtomicInteger> received, String basePath)
      throws IOException {
    this.name = name;
    this.received = received;
    this.basePath = basePath;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
    server.setExecutor(executor);
    server.createContext(basePath.isEmpty() ? "/" : basePath, this::handle);
    server.start();
  }

  FaultyHttpServer(String name, Map<String, AtomicInteger> received) throws IOException {
    this(name, received, "");
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + basePath);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    exchange.getRequestBody().readAllBytes();
    if (path.endsWith("/health")) {
      health(exchange);
      return;
    }
    lastPath = path;
    served.incrementAndGet();
    String id = exchange.getRequestHeaders().getFirst("X-Request-Id");
    if (id != null) {
      received.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
    }
    long delay = delayMillis;
    if (delay > 0) {
      sleep(delay);
    }
    byte[] body = name.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private void health(HttpExchange exchange) throws IOException {
    if (!healthStalls) {
      exchange.sendResponseHeaders(200, 2);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write("ok".getBytes(StandardCharsets.US_ASCII));
      }
      return;
    }
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    out.write('o');
    out.flush();
    sleep(30_000);
    out.close();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops at once: the port refuses connections, open ones are closed. */
  void stop() {
    server.stop(0);
    executor.shutdownNow();
  }

  @Override
  public void close() {
    stop();
  }
}
