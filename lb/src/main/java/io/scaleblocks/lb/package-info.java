/**
 * Client-side load balancing: endpoints and their live membership ({@link
 * io.scaleblocks.lb.EndpointGroup}), selection strategies ({@link io.scaleblocks.lb.Strategies}),
 * active health checks, passive outlier ejection, slow start, panic routing, locality routing
 * ({@link io.scaleblocks.lb.LoadBalancer}), failover with a retry budget ({@link
 * io.scaleblocks.lb.FailoverExecutor}) and a load-balanced {@code java.net.http.HttpClient}.
 *
 * <p>Nothing in this package accepts or returns {@code null} unless a parameter says so (the
 * affinity key of a pick may be null).
 */
package io.scaleblocks.lb;
