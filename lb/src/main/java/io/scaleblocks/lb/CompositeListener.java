package io.scaleblocks.lb;

import java.time.Duration;

/** Two listeners as one: each event goes to the first, then the second. */
final class CompositeListener<T> implements LoadBalancerListener<T> {

  private final LoadBalancerListener<T> first;
  private final LoadBalancerListener<T> second;

  CompositeListener(LoadBalancerListener<T> first, LoadBalancerListener<T> second) {
    this.first = first;
    this.second = second;
  }

  @Override
  public void onPick(Endpoint<T> endpoint) {
    first.onPick(endpoint);
    second.onPick(endpoint);
  }

  @Override
  public void onHealthChange(Endpoint<T> endpoint, boolean healthy) {
    first.onHealthChange(endpoint, healthy);
    second.onHealthChange(endpoint, healthy);
  }

  @Override
  public void onEjection(Endpoint<T> endpoint, Duration duration) {
    first.onEjection(endpoint, duration);
    second.onEjection(endpoint, duration);
  }

  @Override
  public void onRetry(Endpoint<T> failed) {
    first.onRetry(failed);
    second.onRetry(failed);
  }

  @Override
  public void onRetryBudgetExhausted(Endpoint<T> failed) {
    first.onRetryBudgetExhausted(failed);
    second.onRetryBudgetExhausted(failed);
  }
}
