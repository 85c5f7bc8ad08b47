package io.scaleblocks.lb;

/**
 * What a balancer knows about one endpoint at one moment.
 *
 * @param endpoint the endpoint
 * @param healthy whether active health checks consider it healthy (true without active checks)
 * @param ejected whether passive outlier detection has taken it out of rotation
 * @param ejections how many times in a row it has been ejected (drives the ejection time)
 * @param inFlight calls started and not finished
 * @param weightFactor the share of its weight it receives now: below 1 during slow start
 */
public record EndpointStatus<T>(
    Endpoint<T> endpoint,
    boolean healthy,
    boolean ejected,
    int ejections,
    int inFlight,
    double weightFactor) {

  /** Whether the balancer routes to it outside panic mode: healthy and not ejected. */
  public boolean available() {
    return healthy && !ejected;
  }
}
