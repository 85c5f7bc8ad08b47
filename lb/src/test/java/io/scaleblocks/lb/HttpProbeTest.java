package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP probe asks the endpoint's own health path, under its base path. */
class HttpProbeTest {

  private final List<String> asked = new CopyOnWriteArrayList<>();
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String path = exchange.getRequestURI().toString();
      asked.add(path);
      exchange.sendResponseHeaders(path.equals("/api/health?deep=1") ? 200 : 404, -1);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI base(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  @Test
  void theProbePathIsAppendedToTheEndpointsBasePath() throws Exception {
    HealthProbe probe = HealthProbes.http("/health?deep=1", 200);
    Duration timeout = Duration.ofSeconds(5);
    assertTrue(probe.check(Endpoint.of(base("/api")), timeout));
    assertTrue(probe.check(Endpoint.of(base("/api/")), timeout));
    assertFalse(probe.check(Endpoint.of(base("")), timeout), "no base path: /health");
    assertEquals(List.of("/api/health?deep=1", "/api/health?deep=1", "/health?deep=1"), asked);
  }
}
