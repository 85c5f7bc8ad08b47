package io.scaleblocks.lb;

/**
 * The candidates of one locality level (one zone, or every zone when locality is off) in one
 * snapshot, with the selector built over them. Immutable except for the live in-flight counts.
 */
final class Level<T> implements Candidates {

  final String zone;
  final Endpoint<T>[] endpoints;
  final EndpointState<T>[] states;
  final int[] weights;
  Selector selector;

  Level(String zone, Endpoint<T>[] endpoints, EndpointState<T>[] states, int[] weights) {
    this.zone = zone;
    this.endpoints = endpoints;
    this.states = states;
    this.weights = weights;
  }

  @Override
  public int size() {
    return endpoints.length;
  }

  @Override
  public Endpoint<?> endpoint(int index) {
    return endpoints[index];
  }

  @Override
  public int weight(int index) {
    return weights[index];
  }

  @Override
  public int inFlight(int index) {
    return states[index].inFlight;
  }
}
