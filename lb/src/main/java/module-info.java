/**
 * Client-side load balancing: endpoints and their live membership, selection strategies, active
 * health checks, outlier ejection, failover with a retry budget and a load-balanced
 * {@link java.net.http.HttpClient}. The Micrometer binder ({@code io.scaleblocks.lb.micrometer})
 * needs micrometer-core, an optional dependency.
 */
module io.scaleblocks.lb {
  requires transitive io.scaleblocks.sharding;
  requires transitive java.net.http;
  requires io.scaleblocks.config;
  requires org.slf4j;
  requires static micrometer.core;

  exports io.scaleblocks.lb;
  exports io.scaleblocks.lb.micrometer;
}
