package io.scaleblocks.lb;

import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;

/** The README's first example, compiled and run by {@link ReadmeExampleTest}. */
final class ReadmeExample {

  static String fetchOrder(List<URI> servers) throws Exception {
    // README-BEGIN
    // servers: your instances' base URIs, such as URI.create("http://10.0.0.7:8080")
    EndpointGroup<URI> group = EndpointGroup.of(Endpoint.of(servers.get(0), 5),
        Endpoint.of(servers.get(1), 3), Endpoint.of(servers.get(2), 2));   // weights 5:3:2
    try (LoadBalancer<URI> lb = LoadBalancer.builder(group)       // smooth weighted round robin
        .activeHealthCheck(ActiveHealthCheck.of(HealthProbes.http("/health", 200)))
        .outlierDetection(OutlierDetection.ofDefaults())
        .slowStart(SlowStart.of(Duration.ofSeconds(30)))
        .build()) {
      LoadBalancedHttpClient http = LoadBalancedHttpClient.of(lb, RetryPolicy.ofDefaults());
      HttpResponse<String> order = http.send(
          LoadBalancedHttpClient.request("/orders/7").build(), BodyHandlers.ofString());
      return order.statusCode() + " " + order.body();   // a 404 is an answer, not a failure
    }
    // README-END
  }

  private ReadmeExample() {}
}
