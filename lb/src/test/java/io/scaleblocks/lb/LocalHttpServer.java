package io.scaleblocks.lb;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/** A real HTTP server on 127.0.0.1 that answers with its name and counts what it served. */
final class LocalHttpServer implements AutoCloseable {

  static {
    // Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm meets the
    // client's delayed ACK and every response waits about 40 ms.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  final String name;
  final AtomicLong served = new AtomicLong();
  /** The status of answers to anything but /health; 200 unless a test makes the server sick. */
  volatile int status = 200;
  private int port;
  private HttpServer server;
  private ExecutorService executor;

  LocalHttpServer(String name) throws IOException {
    this.name = name;
    start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Starts (again, on the same port after a stop). */
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    port = server.getAddress().getPort();
    executor = Executors.newFixedThreadPool(4);
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      byte[] body = name.getBytes(StandardCharsets.UTF_8);
      if (!exchange.getRequestURI().getPath().equals("/health")) {
        served.incrementAndGet();
      }
      exchange.getRequestBody().readAllBytes();
      boolean health = exchange.getRequestURI().getPath().equals("/health");
      exchange.sendResponseHeaders(health ? 200 : status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
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
