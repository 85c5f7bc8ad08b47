package io.scaleblocks.lb;

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
   * From the keys {@code interval}, {@code jitter}, {@code timeout}, {@code healthy-threshold},
   * {@code unhealthy-threshold}; the probe is code, so it is passed in.
   */
  public static ActiveHealthCheck fromMap(HealthProbe probe, Map<String, String> values) {
    Builder b = builder(probe);
    ConfigValues.read(values, "interval", ConfigValues::duration, b::interval);
    ConfigValues.read(values, "jitter", ConfigValues::duration, b::jitter);
    ConfigValues.read(values, "timeout", ConfigValues::duration, b::timeout);
    ConfigValues.read(values, "healthy-threshold", Integer::parseInt, b::healthyThreshold);
    ConfigValues.read(values, "unhealthy-threshold", Integer::parseInt, b::unhealthyThreshold);
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
      this.interval = ConfigValues.positive("interval", interval);
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
      this.timeout = ConfigValues.positive("timeout", timeout);
      return this;
    }

    public Builder healthyThreshold(int successes) {
      this.healthyThreshold = ConfigValues.atLeast("healthyThreshold", successes, 1);
      return this;
    }

    public Builder unhealthyThreshold(int failures) {
      this.unhealthyThreshold = ConfigValues.atLeast("unhealthyThreshold", failures, 1);
      return this;
    }

    public ActiveHealthCheck build() {
      return new ActiveHealthCheck(this);
    }
  }
}
