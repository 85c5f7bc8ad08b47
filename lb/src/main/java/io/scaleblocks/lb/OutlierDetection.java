package io.scaleblocks.lb;

import io.scaleblocks.config.Checks;
import io.scaleblocks.config.Settings;
import java.time.Duration;
import java.util.Map;

/**
 * Passive health: endpoints whose calls fail are ejected from rotation for a while, after Envoy's
 * outlier detection. An endpoint is ejected after {@link #consecutiveFailures()} failures in a
 * row (at once, on the failing call), or when, over an {@link #interval()} in which it served at
 * least {@link #minimumRequests()} calls, its failure rate reached
 * {@link #failureRateThreshold()}. The n-th ejection in a row lasts
 * {@code baseEjectionTime * 2^(n-1)}, capped at {@link #maxEjectionTime()}; every interval an
 * endpoint spends in rotation without being ejected lowers n by one. At most
 * {@link #maxEjectionPercent()} % of the endpoints (and at least one) are ejected at a time, so a
 * failure of the callers' own network cannot empty the pool. An endpoint coming back re-enters
 * through slow start when that is configured.
 *
 * <p>Immutable and thread-safe.
 */
public final class OutlierDetection {

  public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
  public static final double DEFAULT_FAILURE_RATE_THRESHOLD = 0.5;
  public static final int DEFAULT_MINIMUM_REQUESTS = 20;
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_BASE_EJECTION_TIME = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofMinutes(5);
  public static final int DEFAULT_MAX_EJECTION_PERCENT = 10;

  private final int consecutiveFailures;
  private final double failureRateThreshold;
  private final int minimumRequests;
  private final Duration interval;
  private final Duration baseEjectionTime;
  private final Duration maxEjectionTime;
  private final int maxEjectionPercent;

  private OutlierDetection(Builder builder) {
    this.consecutiveFailures = builder.consecutiveFailures;
    this.failureRateThreshold = builder.failureRateThreshold;
    this.minimumRequests = builder.minimumRequests;
    this.interval = builder.interval;
    this.baseEjectionTime = builder.baseEjectionTime;
    this.maxEjectionTime = builder.maxEjectionTime;
    this.maxEjectionPercent = builder.maxEjectionPercent;
  }

  /** The defaults above. */
  public static OutlierDetection ofDefaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * From settings under the keys {@code consecutive-failures} (1 to 1,000,000),
   * {@code failure-rate-threshold} (0.001 to 1), {@code minimum-requests} (1 to 1,000,000,000),
   * {@code interval} (1 ms to 1 d), {@code base-ejection-time} (1 ms to 1 d),
   * {@code max-ejection-time} (1 ms to 7 d) and {@code max-ejection-percent} (0 to 100), read by
   * {@link Settings}' convention; absent keys keep their default.
   *
   * @throws IllegalArgumentException naming the key for an unknown key or a value out of range
   */
  public static OutlierDetection from(Map<String, ?> values) {
    Settings settings = Settings.of("outlier-detection", values);
    Builder b = builder()
        .consecutiveFailures(settings.intValue(
            "consecutive-failures", 1, 1_000_000, DEFAULT_CONSECUTIVE_FAILURES))
        .failureRateThreshold(settings.doubleValue(
            "failure-rate-threshold", 0.001, 1, DEFAULT_FAILURE_RATE_THRESHOLD))
        .minimumRequests(settings.intValue(
            "minimum-requests", 1, 1_000_000_000, DEFAULT_MINIMUM_REQUESTS))
        .interval(settings.duration(
            "interval", Duration.ofMillis(1), Duration.ofDays(1), DEFAULT_INTERVAL))
        .baseEjectionTime(settings.duration("base-ejection-time",
            Duration.ofMillis(1), Duration.ofDays(1), DEFAULT_BASE_EJECTION_TIME))
        .maxEjectionTime(settings.duration("max-ejection-time",
            Duration.ofMillis(1), Duration.ofDays(7), DEFAULT_MAX_EJECTION_TIME))
        .maxEjectionPercent(settings.intValue(
            "max-ejection-percent", 0, 100, DEFAULT_MAX_EJECTION_PERCENT));
    settings.done();
    return b.build();
  }


  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  public double failureRateThreshold() {
    return failureRateThreshold;
  }

  public int minimumRequests() {
    return minimumRequests;
  }

  public Duration interval() {
    return interval;
  }

  public Duration baseEjectionTime() {
    return baseEjectionTime;
  }

  public Duration maxEjectionTime() {
    return maxEjectionTime;
  }

  public int maxEjectionPercent() {
    return maxEjectionPercent;
  }

  /** How long the {@code ejections}-th ejection in a row lasts, in nanoseconds. */
  long ejectionNanos(int ejections) {
    long base = baseEjectionTime.toNanos();
    long max = maxEjectionTime.toNanos();
    int doublings = Math.min(ejections - 1, 62);
    return base > (max >> doublings) ? max : Math.min(max, base << doublings);
  }

  @Override
  public String toString() {
    return "OutlierDetection{consecutiveFailures=" + consecutiveFailures
        + ", failureRateThreshold=" + failureRateThreshold
        + ", minimumRequests=" + minimumRequests + ", interval=" + interval
        + ", baseEjectionTime=" + baseEjectionTime + ", maxEjectionTime=" + maxEjectionTime
        + ", maxEjectionPercent=" + maxEjectionPercent + "}";
  }

  /** Validates each value as it is set. */
  public static final class Builder {
    private int consecutiveFailures = DEFAULT_CONSECUTIVE_FAILURES;
    private double failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
    private int minimumRequests = DEFAULT_MINIMUM_REQUESTS;
    private Duration interval = DEFAULT_INTERVAL;
    private Duration baseEjectionTime = DEFAULT_BASE_EJECTION_TIME;
    private Duration maxEjectionTime = DEFAULT_MAX_EJECTION_TIME;
    private int maxEjectionPercent = DEFAULT_MAX_EJECTION_PERCENT;

    private Builder() {}

    /** Failures in a row that eject at once; must be >= 1. */
    public Builder consecutiveFailures(int count) {
      this.consecutiveFailures = Checks.atLeast("consecutiveFailures", count, 1);
      return this;
    }

    /** Failure rate over an interval that ejects; in (0, 1]. */
    public Builder failureRateThreshold(double rate) {
      if (!(rate > 0 && rate <= 1)) {
        throw new IllegalArgumentException(
            "failureRateThreshold must be in (0, 1] but was " + rate);
      }
      this.failureRateThreshold = rate;
      return this;
    }

    /** Calls in an interval below which the failure rate is not judged; must be >= 1. */
    public Builder minimumRequests(int count) {
      this.minimumRequests = Checks.atLeast("minimumRequests", count, 1);
      return this;
    }

    public Builder interval(Duration interval) {
      this.interval = Checks.positive("interval", interval);
      return this;
    }

    public Builder baseEjectionTime(Duration time) {
      this.baseEjectionTime = Checks.positive("baseEjectionTime", time);
      return this;
    }

    public Builder maxEjectionTime(Duration time) {
      this.maxEjectionTime = Checks.positive("maxEjectionTime", time);
      return this;
    }

    /** Share of endpoints that may be ejected at once, 0 to 100 (at least one is always allowed). */
    public Builder maxEjectionPercent(int percent) {
      if (percent < 0 || percent > 100) {
        throw new IllegalArgumentException(
            "maxEjectionPercent must be between 0 and 100 but was " + percent);
      }
      this.maxEjectionPercent = percent;
      return this;
    }

    /**
     * @throws IllegalArgumentException if the max ejection time is below the base one
     */
    public OutlierDetection build() {
      if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
        throw new IllegalArgumentException("maxEjectionTime must be >= baseEjectionTime ("
            + baseEjectionTime + ") but was " + maxEjectionTime);
      }
      return new OutlierDetection(this);
    }
  }
}
