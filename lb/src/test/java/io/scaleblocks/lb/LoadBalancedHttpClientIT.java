package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.testkit.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The load-balanced HttpClient against real HTTP servers on 127.0.0.1. */
class LoadBalancedHttpClientIT {

  private static final HttpRequest GET = LoadBalancedHttpClient.request("/work").build();

  private final List<LocalHttpServer> servers = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofMillis(500)).build();
  private final ExecutorService load = Executors.newFixedThreadPool(4);

  @AfterEach
  void stopServers() throws Exception {
    load.shutdownNow();
    load.awaitTermination(5, TimeUnit.SECONDS);
    servers.forEach(LocalHttpServer::stop);
  }

  private LocalHttpServer server(String name) throws Exception {
    LocalHttpServer server = new LocalHttpServer(name);
    servers.add(server);
    return server;
  }

  @Test
  void weightsFiveThreeTwoAreObservedWithinOnePercentOverOneHundredThousandRequests()
      throws Exception {
    int[] weights = {5, 3, 2};
    EndpointGroup<URI> group = EndpointGroup.of();
    for (int i = 0; i < weights.length; i++) {
      group.add(Endpoint.of(server("w" + i).uri(), weights[i]));
    }
    try (LoadBalancer<URI> lb = LoadBalancer.builder(group).name("weights").build()) {
      LoadBalancedHttpClient client = LoadBalancedHttpClient.of(http, lb, RetryPolicy.ofDefaults());
      int requests = 100_000;
      AtomicLong failures = new AtomicLong();
      runLoad(4, requests / 4, client, null, failures);
      assertEquals(0, failures.get());
      for (int i = 0; i < weights.length; i++) {
        double share = servers.get(i).served.get() / (double) requests;
        double ideal = weights[i] / 10.0;
        assertEquals(ideal, share, 0.01 * ideal, "share of w" + i + " (1 % of its weight)");
      }
    }
  }

  @Test
  void aServerStoppedMidLoadFailsNoRequestLeavesRotationAndReturnsThroughSlowStart()
      throws Exception {
    EndpointGroup<URI> group = EndpointGroup.of();
    for (int i = 0; i < 3; i++) {
      group.add(Endpoint.of(server("s" + i).uri()));
    }
    ActiveHealthCheck check = ActiveHealthCheck.builder(HealthProbes.http("/health", 200))
        .interval(Duration.ofMillis(100)).jitter(Duration.ofMillis(20))
        .timeout(Duration.ofMillis(200)).unhealthyThreshold(2).healthyThreshold(2).build();
    Duration detection = Duration.ofMillis(2 * (100 + 20 + 200));
    try (LoadBalancer<URI> lb = LoadBalancer.builder(group).name("failover")
        .activeHealthCheck(check)
        .outlierDetection(OutlierDetection.builder().consecutiveFailures(3)
            .baseEjectionTime(Duration.ofMillis(500)).maxEjectionPercent(34).build())
        .slowStart(SlowStart.builder().window(Duration.ofSeconds(3)).build())
        .refreshInterval(Duration.ofMillis(50))
        .build()) {
      LoadBalancedHttpClient client = LoadBalancedHttpClient.of(http, lb,
          RetryPolicy.builder().perTryTimeout(Duration.ofSeconds(1)).build());
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong failures = new AtomicLong();
      List<Future<?>> workers = continuousLoad(2, client, running, failures);
      Await.until("some traffic", Duration.ofSeconds(10),
          () -> servers.get(2).served.get() > 500);
      LocalHttpServer victim = servers.get(2);
      long stoppedAt = System.nanoTime();
      victim.stop();
      Await.until("s2 leaving rotation", Duration.ofSeconds(5),
          () -> !lb.status().get(2).available());
      Duration leftAfter = Duration.ofNanos(System.nanoTime() - stoppedAt);
      assertTrue(leftAfter.compareTo(detection) <= 0,
          "left rotation after " + leftAfter + ", detection time " + detection);

      victim.start();
      Await.until("s2 healthy again", Duration.ofSeconds(10), () -> lb.status().get(2).healthy()
          && !lb.status().get(2).ejected());
      double factor = lb.status().get(2).weightFactor();
      assertTrue(factor < 0.5, "weight factor right after return " + factor);
      long[] before = servedCounts();
      Thread.sleep(300);
      long[] after = servedCounts();
      double share = (after[2] - before[2])
          / (double) (after[0] + after[1] + after[2] - before[0] - before[1] - before[2]);
      assertTrue(share < 0.25, "returning server's share during slow start " + share);
      Await.until("slow start over", Duration.ofSeconds(10),
          () -> lb.status().get(2).weightFactor() == 1.0);

      running.set(false);
      for (Future<?> worker : workers) {
        worker.get();
      }
      assertEquals(0, failures.get(), "failed requests");
    }
  }

  @Test
  void theSameClientIpReachesTheSameServerAcrossTenThousandRequests() throws Exception {
    EndpointGroup<URI> group = EndpointGroup.of();
    for (int i = 0; i < 5; i++) {
      group.add(Endpoint.of(server("h" + i).uri()));
    }
    try (LoadBalancer<URI> lb = LoadBalancer.builder(group).name("sticky")
        .strategy(Strategies.ipHash()).build()) {
      LoadBalancedHttpClient client = LoadBalancedHttpClient.of(http, lb, RetryPolicy.ofDefaults());
      Map<String, String> serverOfIp = new HashMap<>();
      for (int i = 0; i < 10_000; i++) {
        String ip = "198.51.100." + (i % 100);
        String body = client.send(GET, HttpResponse.BodyHandlers.ofString(), ip).body();
        String first = serverOfIp.putIfAbsent(ip, body);
        if (first != null) {
          assertEquals(first, body, "client " + ip);
        }
      }
      assertTrue(serverOfIp.values().stream().distinct().count() >= 4,
          "100 clients spread over the servers");
    }
  }

  @Test
  void withAWholeDataCenterStoppedTrafficMovesToTheNextNearest() throws Exception {
    EndpointGroup<URI> group = EndpointGroup.of();
    for (String zone : List.of("paris", "frankfurt")) {
      for (int i = 0; i < 3; i++) {
        group.add(Endpoint.of(server(zone + i).uri()).withZone(zone));
      }
    }
    Locality locality = Locality.of("eu-west",
        Map.of("eu-west", Map.of("paris", 5, "frankfurt", 15)));
    ActiveHealthCheck check = ActiveHealthCheck.builder(HealthProbes.tcp())
        .interval(Duration.ofMillis(100)).jitter(Duration.ofMillis(20))
        .timeout(Duration.ofMillis(200)).unhealthyThreshold(2).build();
    try (LoadBalancer<URI> lb = LoadBalancer.builder(group).name("geo")
        .locality(locality).activeHealthCheck(check).build()) {
      LoadBalancedHttpClient client = LoadBalancedHttpClient.of(http, lb, RetryPolicy.ofDefaults());
      AtomicLong failures = new AtomicLong();
      Map<String, LongAdder> byServer = runLoad(2, 1_000, client, null, failures);
      assertEquals(2_000, zoneTotal(byServer, "paris"), "everything stays in the nearest");

      servers.subList(0, 3).forEach(LocalHttpServer::stop);
      AtomicBoolean running = new AtomicBoolean(true);
      List<Future<?>> workers = continuousLoad(2, client, running, failures);
      Await.until("paris marked down", Duration.ofSeconds(5),
          () -> lb.status().stream().limit(3).noneMatch(EndpointStatus::healthy));
      running.set(false);
      for (Future<?> worker : workers) {
        worker.get();
      }
      Map<String, LongAdder> after = runLoad(2, 1_000, client, null, failures);
      assertEquals(2_000, zoneTotal(after, "frankfurt"), "everything moved to frankfurt");
      assertEquals(0, failures.get(), "failed requests");
    }
  }

  @Test
  void idempotentRequestsFailOverOnServerErrorsAndOthersDoNot() throws Exception {
    LocalHttpServer sick = server("sick");
    sick.status = 503;
    LocalHttpServer well = server("well");
    EndpointGroup<URI> group = EndpointGroup.of(Endpoint.of(sick.uri()), Endpoint.of(well.uri()));
    try (LoadBalancer<URI> lb = LoadBalancer.builder(group).name("methods")
        .strategy(Strategies.roundRobin()).build()) {
      LoadBalancedHttpClient client = LoadBalancedHttpClient.of(http, lb, RetryPolicy.ofDefaults());
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> get = client.send(GET, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, get.statusCode());
        assertEquals("well", get.body());
      }
      long sickBefore = sick.served.get();
      int answeredBySick = 0;
      for (int i = 0; i < 20; i++) {
        HttpRequest post = LoadBalancedHttpClient.request("/orders")
            .POST(HttpRequest.BodyPublishers.ofString("order " + i)).build();
        HttpResponse<String> response = client.send(post, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 503) {
          answeredBySick++;
          assertEquals("sick", response.body());
        } else {
          assertEquals("well", response.body());
        }
      }
      assertEquals(sick.served.get() - sickBefore, answeredBySick,
          "a POST the sick server saw is returned as is, never sent again");
      assertTrue(answeredBySick > 0);
    }
  }

  private long[] servedCounts() {
    return servers.stream().mapToLong(server -> server.served.get()).toArray();
  }

  private static long zoneTotal(Map<String, LongAdder> byServer, String zone) {
    return byServer.entrySet().stream().filter(e -> e.getKey().startsWith(zone))
        .mapToLong(e -> e.getValue().sum()).sum();
  }

  private Map<String, LongAdder> runLoad(int threads, int perThread,
      LoadBalancedHttpClient client, String key, AtomicLong failures) throws Exception {
    Map<String, LongAdder> byServer = new ConcurrentHashMap<>();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(load.submit(() -> {
        for (int i = 0; i < perThread; i++) {
          send(client, key, failures, byServer);
        }
      }));
    }
    for (Future<?> future : futures) {
      future.get();
    }
    return byServer;
  }

  private List<Future<?>> continuousLoad(int threads, LoadBalancedHttpClient client,
      AtomicBoolean running, AtomicLong failures) {
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(load.submit(() -> {
        while (running.get()) {
          send(client, null, failures, new ConcurrentHashMap<>());
        }
      }));
    }
    return futures;
  }

  private static void send(LoadBalancedHttpClient client, String key, AtomicLong failures,
      Map<String, LongAdder> byServer) {
    try {
      HttpResponse<String> response = client.send(GET, HttpResponse.BodyHandlers.ofString(), key);
      if (response.statusCode() != 200) {
        failures.incrementAndGet();
      } else {
        byServer.computeIfAbsent(response.body(), b -> new LongAdder()).increment();
      }
    } catch (Exception e) {
      failures.incrementAndGet();
      System.err.println("request failed: " + e);
    }
  }
}
