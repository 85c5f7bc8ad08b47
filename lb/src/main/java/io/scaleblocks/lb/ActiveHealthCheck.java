package io.scaleblocks.lb;

import io.scaleblocks.config.Checks;
import io.scaleblocks.config.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Active health checking: every {@link #interval()} (plus a random {@link #jitter()}, so that
 * many clients do not probe in lock step) each endpoint is probed with {@link #probe()}, which
 * must answer within {@link #timeout()}. An endpoint turns unhealthy after
 * {@link #unhealthyThreshold()} failed probes in a row and healthy again after
 * {@link #healthyThreshold()} successes in a row. Endpoints start healthy. The detection time of
 * a dead endpoint is at most {@code unhealthyThreshold * (interval + jitter + timeout)}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ActiveHealthCheck {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_JITTER = Duration.ofMillis(500);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  public static final int DEFAULT_HEALTHY_THRESHOLD = 2;
  public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;

  private final HealthProbe probe;
  private final Duration interval;
  private final Duration jitter;
  private final Duration timeout;
  private final int healthyThreshold;
  private final int unhealthyThreshold;

  private ActiveHealthCheck(Builder b) {
    this.probe = b.probe;
    this.interval = b.interval;
    this.jitter = b.jitter;
    this.timeout = b.timeout;
    this.healthyThreshold = b.healthyThreshold;
    this.unhealthyThreshold = b.unhealthyThreshold;
  }

  /** Checks with {@code probe} and the default timings. */
  public static ActiveHealthCheck of(HealthProbe probe) {
    return builder(probe).build();
  }

  public static Builder builder(HealthProbe probe) {
    return new Builder(probe);
  }

  /**
   * From settings under the keys {@code interval} (1 ms to 1 d), {@code jitter} (0 to 1 h),
   * {@code timeout} (1 ms to 1 h), {@code healthy-threshold} and {@code unhealthy-threshold}
   * (1 to 1,000), read by {@link Settings}' convention; the probe is code, so it is passed in.
   *
   * @throws IllegalArgumentException naming the key for an unknown key or a value out of range
   */
  public static ActiveHealthCheck from(HealthProbe probe, Map<String, ?> values) {
    Settings settings = Settings.of("active-health-check", values);
    Builder b = builder(probe)
        .interval(settings.duration(
            "interval", Duration.ofMillis(1), Duration.ofDays(1), DEFAULT_INTERVAL))
        .jitter(settings.duration("jitter", Duration.ZERO, Duration.ofHours(1), DEFAULT_JITTER))
        .timeout(settings.duration(
            "timeout", Duration.ofMillis(1), Duration.ofHours(1), DEFAULT_TIMEOUT))
        .healthyThreshold(settings.intValue(
            "healthy-threshold", 1, 1000, DEFAULT_HEALTHY_THRESHOLD))
        .unhealthyThreshold(settings.intValue(
            "unhealthy-threshold", 1, 1000, DEFAULT_UNHEALTHY_THRESHOLD));
    settings.done();
    return b.build();
  }


  public HealthProbe probe() {
    return probe;
  }

  public Duration interval() {
    return interval;
  }

  public Duration jitter() {
    return jitter;
  }

  public Duration timeout() {
    return timeout;
  }

  public int healthyThreshold() {
    return healthyThreshold;
  }

  public int unhealthyThreshold() {
    return unhealthyThreshold;
  }

  @Override
  public String toString() {
    return "ActiveHealthCheck{interval=" + interval + ", jitter=" + jitter + ", timeout="
        + timeout + ", healthyThreshold=" + healthyThreshold + ", unhealthyThreshold="
        + unhealthyThreshold + "}";
  }

  /** Validates each value as it is set. */
  public static final class Builder {
    private final HealthProbe probe;
    private Duration interval = DEFAULT_INTERVAL;
    private Duration jitter = DEFAULT_JITTER;
    private Duration timeout = DEFAULT_TIMEOUT;
    private int healthyThreshold = DEFAULT_HEALTHY_THRESHOLD;
    private int unhealthyThreshold = DEFAULT_UNHEALTHY_THRESHOLD;

    private Builder(HealthProbe probe) {
      this.probe = Objects.requireNonNull(probe, "probe");
    }

    public Builder interval(Duration interval) {
      this.interval = Checks.positive("interval", interval);
      return this;
    }

    /** Random extra delay before each probe, from 0 up to this; may be zero. */
    public Builder jitter(Duration jitter) {
      if (jitter == null || jitter.isNegative()) {
        throw new IllegalArgumentException("jitter must be >= 0 but was " + jitter);
      }
      this.jitter = jitter;
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = Checks.positive("timeout", timeout);
      return this;
    }

    public Builder healthyThreshold(int successes) {
      this.healthyThreshold = Checks.atLeast("healthyThreshold", successes, 1);
      return this;
    }

    public Builder unhealthyThreshold(int failures) {
      this.unhealthyThreshold = Checks.atLeast("unhealthyThreshold", failures, 1);
      return this;
    }

    public ActiveHealthCheck build() {
      return new ActiveHealthCheck(this);
    }
  }
}
