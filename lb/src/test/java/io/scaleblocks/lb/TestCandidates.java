package io.scaleblocks.lb;

/** Fixed candidates for strategy tests, with settable in-flight counts. */
final class TestCandidates implements Candidates {

  final Endpoint<String>[] endpoints;
  final int[] inFlight;

  @SuppressWarnings({"unchecked", "rawtypes"})
  TestCandidates(int... weights) {
    endpoints = new Endpoint[weights.length];
    inFlight = new int[weights.length];
    for (int i = 0; i < weights.length; i++) {
      endpoints[i] = Endpoint.of("e" + i, weights[i]);
    }
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
    return endpoints[index].weight();
  }

  @Override
  public int inFlight(int index) {
    return inFlight[index];
  }
}
