package io.scaleblocks.lb;

import io.scaleblocks.config.Checks;
import io.scaleblocks.config.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * How {@link FailoverExecutor} retries: at most {@link #maxAttempts()} tries, each on a different
 * endpoint than the one before, each limited to {@link #perTryTimeout()}, retried only when
 * {@link #retryOn()} accepts the failure and the retry budget has a token.
 *
 * <p>The retry budget (after Finagle's {@code RetryBudget}) keeps retries from multiplying the
 * load in an outage: every first try deposits {@link #budgetRatio()} of a token, every retry
 * withdraws one, and {@link #minRetriesPerSecond()} tokens are added each second so a quiet client
 * can still retry. Tokens older than {@link #budgetWindow()} expire (the balance is capped at
 * what the window can earn). With the defaults, retries add at most 20 % to the load plus 10 per
 * second.
 *
 * <p>Immutable and thread-safe.
 */
public final class RetryPolicy {

  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  public static final Duration DEFAULT_PER_TRY_TIMEOUT = Duration.ofSeconds(2);
  public static final double DEFAULT_BUDGET_RATIO = 0.2;
  public static final int DEFAULT_MIN_RETRIES_PER_SECOND = 10;
  public static final Duration DEFAULT_BUDGET_WINDOW = Duration.ofSeconds(10);

  private final int maxAttempts;
  private final Duration perTryTimeout;
  private final double budgetRatio;
  private final int minRetriesPerSecond;
  private final Duration budgetWindow;
  private final Predicate<Throwable> retryOn;

  private RetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.perTryTimeout = b.perTryTimeout;
    this.budgetRatio = b.budgetRatio;
    this.minRetriesPerSecond = b.minRetriesPerSecond;
    this.budgetWindow = b.budgetWindow;
    this.retryOn = b.retryOn;
  }

  public static RetryPolicy ofDefaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * From settings under the keys {@code max-attempts} (1 to 100), {@code per-try-timeout}
   * (1 ms to 1 h), {@code budget-ratio} (0 to 1), {@code min-retries-per-second} (0 to
   * 1,000,000) and {@code budget-window} (1 s to 1 h), read by {@link Settings}' convention;
   * every failure is retryable.
   *
   * @throws IllegalArgumentException naming the key for an unknown key or a value out of range
   */
  public static RetryPolicy from(Map<String, ?> values) {
    Settings settings = Settings.of("retry-policy", values);
    Builder b = builder()
        .maxAttempts(settings.intValue("max-attempts", 1, 100, DEFAULT_MAX_ATTEMPTS))
        .perTryTimeout(settings.duration("per-try-timeout",
            Duration.ofMillis(1), Duration.ofHours(1), DEFAULT_PER_TRY_TIMEOUT))
        .budgetRatio(settings.doubleValue("budget-ratio", 0, 1, DEFAULT_BUDGET_RATIO))
        .minRetriesPerSecond(settings.intValue(
            "min-retries-per-second", 0, 1_000_000, DEFAULT_MIN_RETRIES_PER_SECOND))
        .budgetWindow(settings.duration("budget-window",
            Duration.ofSeconds(1), Duration.ofHours(1), DEFAULT_BUDGET_WINDOW));
    settings.done();
    return b.build();
  }


  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration perTryTimeout() {
    return perTryTimeout;
  }

  public double budgetRatio() {
    return budgetRatio;
  }

  public int minRetriesPerSecond() {
    return minRetriesPerSecond;
  }

  public Duration budgetWindow() {
    return budgetWindow;
  }

  public Predicate<Throwable> retryOn() {
    return retryOn;
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxAttempts=" + maxAttempts + ", perTryTimeout=" + perTryTimeout
        + ", budgetRatio=" + budgetRatio + ", minRetriesPerSecond=" + minRetriesPerSecond
        + ", budgetWindow=" + budgetWindow + "}";
  }

  /** Validates each value as it is set. */
  public static final class Builder {
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration perTryTimeout = DEFAULT_PER_TRY_TIMEOUT;
    private double budgetRatio = DEFAULT_BUDGET_RATIO;
    private int minRetriesPerSecond = DEFAULT_MIN_RETRIES_PER_SECOND;
    private Duration budgetWindow = DEFAULT_BUDGET_WINDOW;
    private Predicate<Throwable> retryOn = failure -> true;

    private Builder() {}

    /** Tries in all, first included; 1 means no retry. */
    public Builder maxAttempts(int attempts) {
      this.maxAttempts = Checks.atLeast("maxAttempts", attempts, 1);
      return this;
    }

    public Builder perTryTimeout(Duration timeout) {
      this.perTryTimeout = Checks.positive("perTryTimeout", timeout);
      return this;
    }

    /** Tokens each first try earns, 0 to 1: the most retries can add to the load. */
    public Builder budgetRatio(double ratio) {
      this.budgetRatio = Checks.fraction("budgetRatio", ratio);
      return this;
    }

    public Builder minRetriesPerSecond(int retries) {
      this.minRetriesPerSecond = Checks.atLeast("minRetriesPerSecond", retries, 0);
      return this;
    }

    public Builder budgetWindow(Duration window) {
      this.budgetWindow = Checks.positive("budgetWindow", window);
      return this;
    }

    /** Which failures are worth another endpoint; default all. */
    public Builder retryOn(Predicate<Throwable> retryOn) {
      this.retryOn = Objects.requireNonNull(retryOn, "retryOn");
      return this;
    }

    public RetryPolicy build() {
      return new RetryPolicy(this);
    }
  }
}
