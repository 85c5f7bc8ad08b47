package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.testkit.Await;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LoadBalancedHttpClient} against real HTTP servers on 127.0.0.1 under faults: slow POSTs,
 * a zone that dies, two of three servers stopped, a health endpoint that hangs. The promise under
 * test: no non-idempotent request reaches a server twice, and no idempotent request fails while
 * a server is healthy.
 */
class FailoverUnderFaultsIT {

  private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
  private final List<FaultyHttpServer> servers = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofMillis(500)).build();
  private final ExecutorService load = Executors.newFixedThreadPool(4);
  private final AtomicLong ids = new AtomicLong();

  @AfterEach
  void stopServers() throws Exception {
    load.shutdownNow();
    load.awaitTermination(5, TimeUnit.SECONDS);
    servers.forEach(FaultyHttpServer::stop);
  }

  private FaultyHttpServer server(String name) throws IOException {
    FaultyHttpServer server = new FaultyHttpServer(name, received);
    servers.add(server);
    return server;
  }

  private HttpRequest post() {
    return LoadBalancedHttpClient.request("/payments")
        .header("X-Request-Id", "p" + ids.incrementAndGet())
        .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":7}")).build();
  }

  private long duplicates() {
    return received.values().stream().filter(count -> count.get() > 1).count();
  }

  private static ActiveHealthCheck fastHealthCheck() {
    return ActiveHealthCheck.builder(HealthProbes.http("/health", 200))
        .interval(Duration.ofMillis(50)).jitter(Duration.ofMillis(10))
        .timeout(Duration.ofMillis(150)).unhealthyThreshold(2).healthyThreshold(2).build();
  }

  private static RetryPolicy generousRetries() {
    return RetryPolicy.builder().perTryTimeout(Duration.ofSeconds(2)).budgetRatio(1.0).build();
  }

  @Test
  void aSlowPostReachesAServerExactlyOnceAndFailsWithATimeout() throws Exception {
    EndpointGroup<URI> group = EndpointGroup.of();
    for (int i = 0; i < 3; i++) {
      FaultyHttpServer server = server("slow" + i);
      server.delayMillis = 600;
      group.add(Endpoint.of(server.uri()));
    }
    try (LoadBalancer<URI> lb = LoadBalancer.builder(group).name("slow-posts").build()) {
      LoadBalancedHttpClient client = LoadBalancedHttpClient.of(http, lb,
          RetryPolicy.builder().perTryTimeout(Duration.ofMillis(200)).build());
      for (int i = 0; i < 10; i++) {
        HttpTimeoutException timeout = assertThrows(HttpTimeoutException.class,
            () -> client.send(post(), BodyHandlers.ofString()));
        assertTrue(timeout.getMessage().contains("1 try"), timeout.getMessage());
      }
      Await.until("10 POSTs received", Duration.ofSeconds(5), () -> received.size() == 10);
      Thread.sleep(700);
      assertEquals(10, received.values().stream().mapToInt(AtomicInteger::get).sum(),
          "every POST reached a server exactly once");
      assertEquals(0, duplicates());
    }
  }

  @Test
  void theEndpointsBasePathIsKept() throws Exception {
    FaultyHttpServer server = new FaultyHttpServer("api", received, "/api");
    servers.add(server);
    try (LoadBalancer<URI> lb = LoadBalancer.builder(EndpointGroup.of(
        Endpoint.of(server.uri()))).build()) {
      LoadBalancedHttpClient client = LoadBalancedHttpClient.of(http, lb, RetryPolicy.ofDefaults());
      HttpResponse<String> response = client.send(
          LoadBalancedHttpClient.request("/orders/7?full=true").build(), BodyHandlers.ofString());
      assertEquals(200, response.statusCode());
      assertEquals("/api/orders/7", server.lastPath);
    }
  }

  @Test
  void retriedServerErrorsHaveTheirBodiesClosed() throws Exception {
    FaultyHttpServer sick = server("sick");
    sick.status = 503;
    FaultyHttpServer sound = server("sound");
    List<String> closed = new ArrayList<>();
    HttpResponse.BodyHandler<InputStream> tracked = info -> BodySubscribers.mapping(
        BodySubscribers.ofInputStream(), in -> new FilterInputStream(in) {
          @Override
          public void close() throws IOException {
            synchronized (closed) {
              closed.add(String.valueOf(info.statusCode()));
            }
            super.close();
          }
        });
    try (LoadBalancer<URI> lb = LoadBalancer.builder(EndpointGroup.of(
            Endpoint.of(sick.uri()), Endpoint.of(sound.uri())))
        .strategy(Strategies.roundRobin()).build()) {
      LoadBalancedHttpClient client = LoadBalancedHttpClient.of(http, lb, generousRetries());
      for (int i = 0; i < 10; i++) {
        try (InputStream body = client.send(
            LoadBalancedHttpClient.request("/work").build(), tracked).body()) {
          assertEquals("sound", new String(body.readAllBytes()));
        }
      }
      synchronized (closed) {
        assertTrue(sick.served.get() > 0);
        assertEquals(sick.served.get(), closed.stream().filter("503"::equals).count(),
            "every retried 503 was closed: " + closed);
      }
    }
  }

  @Test
  void whenEveryServerIsDownTheFailureNamesTheEndpointsTriedAndTheAttempts() throws Exception {
    EndpointGroup<URI> group = EndpointGroup.of();
    for (int i = 0; i < 3; i++) {
      FaultyHttpServer server = server("gone" + i);
      group.add(Endpoint.of(server.uri()));
      server.stop();
    }
    try (LoadBalancer<URI> lb = LoadBalancer.builder(group).build()) {
      LoadBalancedHttpClient client = LoadBalancedHttpClient.of(http, lb, RetryPolicy.ofDefaults());
      IOException failure = assertThrows(IOException.class,
          () -> client.send(LoadBalancedHttpClient.request("/work").build(),
              BodyHandlers.ofString()));
      String message = String.valueOf(failure.getMessage());
      assertTrue(message.contains("3 tries"), message);
      for (Endpoint<URI> endpoint : group.endpoints()) {
        assertTrue(message.contains(endpoint.id()), message);
      }
    }
  }

  /** Runs GETs and POSTs on 2 threads until {@code stop}; counts failed GETs. */
  private List<Future<?>> mixedLoad(LoadBalancedHttpClient client, AtomicBoolean stop,
      AtomicLong failedGets, AtomicLong gets) {
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      workers.add(load.submit(() -> {
        while (!stop.get()) {
          try {
            client.send(LoadBalancedHttpClient.request("/work").build(), BodyHandlers.ofString());
            gets.incrementAndGet();
          } catch (IOException | RuntimeException e) {
            failedGets.incrementAndGet();
          }
          try {
            client.send(post(), BodyHandlers.ofString());
          } catch (IOException | RuntimeException e) {
            // a POST may fail when its server dies under it; it must never be sent twice
          }
        }
        return null;
      }));
    }
    return workers;
  }

  private static void finish(AtomicBoolean stop, List<Future<?>> workers) throws Exception {
    stop.set(true);
    for (Future<?> worker : workers) {
      worker.get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aZoneThatDiesEntirelyFailsNoGetAndSendsNoPostTwice() throws Exception {
    EndpointGroup<URI> group = EndpointGroup.of();
    List<FaultyHttpServer> near = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      near.add(server("near" + i));
      group.add(Endpoint.of(near.get(i).uri()).withZone("near"));
      group.add(Endpoint.of(server("far" + i).uri()).withZone("far"));
    }
    Locality locality = Locality.of("here", Map.of("here", Map.of("near", 1, "far", 50)));
    try (LoadBalancer<URI> lb = LoadBalancer.builder(group).name("zone-dies")
        .locality(locality).activeHealthCheck(fastHealthCheck()).build()) {
      LoadBalancedHttpClient client = LoadBalancedHttpClient.of(http, lb, generousRetries());
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong failedGets = new AtomicLong();
      AtomicLong gets = new AtomicLong();
      List<Future<?>> workers = mixedLoad(client, stop, failedGets, gets);
      Await.until("traffic", Duration.ofSeconds(5), () -> gets.get() > 200);
      near.forEach(FaultyHttpServer::stop);
      long farBefore = servers.get(1).served.get() + servers.get(3).served.get();
      Await.until("the near zone leaves rotation", Duration.ofSeconds(5), () -> lb.status()
          .stream().filter(s -> s.endpoint().zone().equals("near")).noneMatch(s -> s.healthy()));
      Await.until("the far zone serves", Duration.ofSeconds(5),
          () -> servers.get(1).served.get() + servers.get(3).served.get() > farBefore + 400);
      finish(stop, workers);
      assertEquals(0, failedGets.get(), "failed GETs");
      assertEquals(0, duplicates(), "POSTs sent twice");
    }
  }

  @Test
  void twoOfThreeServersStoppedFailNoGetAndSendNoPostTwice() throws Exception {
    EndpointGroup<URI> group = EndpointGroup.of();
    for (int i = 0; i < 3; i++) {
      group.add(Endpoint.of(server("s" + i).uri()));
    }
    try (LoadBalancer<URI> lb = LoadBalancer.builder(group).name("two-of-three")
        .activeHealthCheck(fastHealthCheck())
        .outlierDetection(OutlierDetection.ofDefaults()).build()) {
      LoadBalancedHttpClient client = LoadBalancedHttpClient.of(http, lb, generousRetries());
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong failedGets = new AtomicLong();
      AtomicLong gets = new AtomicLong();
      List<Future<?>> workers = mixedLoad(client, stop, failedGets, gets);
      Await.until("traffic", Duration.ofSeconds(5), () -> gets.get() > 200);
      servers.get(0).stop();
      servers.get(1).stop();
      long before = gets.get();
      Await.until("1,000 more GETs", Duration.ofSeconds(20), () -> gets.get() > before + 1000);
      finish(stop, workers);
      assertTrue(lb.panicking(), "1 of 3 available is below the panic threshold");
      assertEquals(0, failedGets.get(), "failed GETs");
      assertEquals(0, duplicates(), "POSTs sent twice");
    }
  }

  @Test
  void aHungHealthEndpointTakesItsServerOutOfRotation() throws Exception {
    EndpointGroup<URI> group = EndpointGroup.of();
    for (int i = 0; i < 3; i++) {
      group.add(Endpoint.of(server("h" + i).uri()));
    }
    try (LoadBalancer<URI> lb = LoadBalancer.builder(group).name("hung-health")
        .activeHealthCheck(fastHealthCheck()).build()) {
      LoadBalancedHttpClient client = LoadBalancedHttpClient.of(http, lb, generousRetries());
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong failedGets = new AtomicLong();
      AtomicLong gets = new AtomicLong();
      List<Future<?>> workers = mixedLoad(client, stop, failedGets, gets);
      Await.until("traffic", Duration.ofSeconds(5), () -> gets.get() > 200);
      FaultyHttpServer hung = servers.get(1);
      hung.healthStalls = true;
      // unhealthyThreshold * (interval + jitter + timeout) = 2 * 210 ms
      Await.until("the hung server is unhealthy", Duration.ofSeconds(3), () -> lb.status()
          .stream().anyMatch(s -> s.endpoint().address().equals(hung.uri()) && !s.healthy()));
      long servedThen = hung.served.get();
      long before = gets.get();
      Await.until("500 more GETs", Duration.ofSeconds(10), () -> gets.get() > before + 500);
      finish(stop, workers);
      assertTrue(hung.served.get() - servedThen <= 4, "the hung server left rotation");
      assertEquals(0, failedGets.get(), "failed GETs");
      assertEquals(0, duplicates(), "POSTs sent twice");
      assertFalse(lb.panicking());
    }
  }
}
