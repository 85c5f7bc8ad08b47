package io.scaleblocks.lb;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The token bucket behind {@link RetryPolicy}'s budget. Balance in thousandths of a token; a
 * lock-free CAS loop per deposit and withdrawal. Time-based refill is computed lazily from the
 * ticker on each withdrawal, at the configured rate whatever the withdrawal rate.
 */
final class RetryBudget {

  private static final long UNIT = 1000;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final long depositPerRequest;
  private final long refillPerSecond;
  private final long cap;
  /** How long an empty bucket takes to fill: refills never count more time than that. */
  private final long fillNanos;
  private final LongSupplier ticker;
  private final AtomicLong balance;
  private final AtomicLong lastRefill;

  RetryBudget(RetryPolicy policy, LongSupplier ticker) {
    this.depositPerRequest = Math.round(policy.budgetRatio() * UNIT);
    this.refillPerSecond = policy.minRetriesPerSecond() * UNIT;
    long windowSeconds = Math.max(1, policy.budgetWindow().toSeconds());
    long earnable = policy.minRetriesPerSecond() * windowSeconds * UNIT;
    // The ratio part of the cap: what the window's requests could earn at 1000 requests/second,
    // enough for any burst the ratio is meant to allow, small enough to expire old credit.
    this.cap = Math.max(UNIT, earnable + depositPerRequest * 1000 * windowSeconds);
    this.fillNanos = refillPerSecond == 0 ? 0 : nanosToEarn(cap) + 1;
    this.ticker = ticker;
    this.balance = new AtomicLong(policy.minRetriesPerSecond() * UNIT);
    this.lastRefill = new AtomicLong(ticker.getAsLong());
  }

  void deposit() {
    add(depositPerRequest);
  }

  /** Takes one token if there is one. */
  boolean tryWithdraw() {
    refill();
    while (true) {
      long current = balance.get();
      if (current < UNIT) {
        return false;
      }
      if (balance.compareAndSet(current, current - UNIT)) {
        return true;
      }
    }
  }

  /** Gives back a token taken for a retry that could not go anywhere. */
  void refund() {
    add(UNIT);
  }

  long tokens() {
    return balance.get() / UNIT;
  }

  private void refill() {
    if (refillPerSecond == 0) {
      return;
    }
    long now = ticker.getAsLong();
    long last = lastRefill.get();
    long elapsed = Math.min(now - last, fillNanos);
    // Split at whole seconds so that no product overflows at any rate the settings accept
    // (up to 10^9 thousandths per second, a bucket of up to 3.6 * 10^12).
    long earned = elapsed / NANOS_PER_SECOND * refillPerSecond
        + elapsed % NANOS_PER_SECOND * refillPerSecond / NANOS_PER_SECOND;
    // Advance the clock by what the earned amount took to earn, not to now: the remainder of a
    // unit is earned by the next refill instead of dropped. Past a full bucket, to now.
    long advanced = now - last > elapsed ? now : last + nanosToEarn(earned);
    if (earned > 0 && lastRefill.compareAndSet(last, advanced)) {
      add(earned);
    }
  }

  /** The time {@code amount} takes to earn, rounded down; overflow-free as {@link #refill}. */
  private long nanosToEarn(long amount) {
    return amount / refillPerSecond * NANOS_PER_SECOND
        + amount % refillPerSecond * NANOS_PER_SECOND / refillPerSecond;
  }

  private void add(long amount) {
    while (true) {
      long current = balance.get();
      long next = Math.min(cap, current + amount);
      if (next == current || balance.compareAndSet(current, next)) {
        return;
      }
    }
  }
}
