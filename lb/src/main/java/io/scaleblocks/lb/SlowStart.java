package io.scaleblocks.lb;

import io.scaleblocks.config.Checks;
import io.scaleblocks.config.Settings;
import java.time.Duration;
import java.util.Map;

/**
 * Ramps up the traffic of an endpoint that joins or comes back, so a cold cache or JIT is not
 * flooded. Envoy's formula: during the {@link #window()} after the endpoint becomes available its
 * weight is multiplied by {@code max(minWeightPercent / 100, (elapsed / window)^(1 /
 * aggression))}; an aggression of 1 is a linear ramp, larger values ramp faster at first. It
 * applies to endpoints added after the balancer started and to endpoints returning from an
 * ejection or a failed health check, not to the initial membership.
 *
 * <p>Immutable and thread-safe.
 */
public final class SlowStart {

  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(30);
  public static final double DEFAULT_AGGRESSION = 1.0;
  public static final int DEFAULT_MIN_WEIGHT_PERCENT = 10;

  private final Duration window;
  private final double aggression;
  private final int minWeightPercent;

  private SlowStart(Duration window, double aggression, int minWeightPercent) {
    this.window = window;
    this.aggression = aggression;
    this.minWeightPercent = minWeightPercent;
  }

  /** A ramp over {@code window} with the default aggression and minimum. */
  public static SlowStart of(Duration window) {
    return builder().window(window).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * From settings under the keys {@code window} (1 ms to 1 d), {@code aggression} (0.01 to 100)
   * and {@code min-weight-percent} (1 to 100), read by {@link Settings}' convention.
   *
   * @throws IllegalArgumentException naming the key for an unknown key or a value out of range
   */
  public static SlowStart from(Map<String, ?> values) {
    Settings settings = Settings.of("slow-start", values);
    Builder b = builder()
        .window(settings.duration(
            "window", Duration.ofMillis(1), Duration.ofDays(1), DEFAULT_WINDOW))
        .aggression(settings.doubleValue("aggression", 0.01, 100, DEFAULT_AGGRESSION))
        .minWeightPercent(settings.intValue(
            "min-weight-percent", 1, 100, DEFAULT_MIN_WEIGHT_PERCENT));
    settings.done();
    return b.build();
  }


  public Duration window() {
    return window;
  }

  public double aggression() {
    return aggression;
  }

  public int minWeightPercent() {
    return minWeightPercent;
  }

  /** The weight factor {@code elapsedNanos} after the endpoint became available, in (0, 1]. */
  double factor(long elapsedNanos) {
    long windowNanos = window.toNanos();
    if (elapsedNanos >= windowNanos) {
      return 1.0;
    }
    double timeFactor = Math.max(0, elapsedNanos) / (double) windowNanos;
    return Math.max(minWeightPercent / 100.0, Math.pow(timeFactor, 1 / aggression));
  }

  @Override
  public String toString() {
    return "SlowStart{window=" + window + ", aggression=" + aggression
        + ", minWeightPercent=" + minWeightPercent + "}";
  }

  /** Validates each value as it is set. */
  public static final class Builder {
    private Duration window = DEFAULT_WINDOW;
    private double aggression = DEFAULT_AGGRESSION;
    private int minWeightPercent = DEFAULT_MIN_WEIGHT_PERCENT;

    private Builder() {}

    public Builder window(Duration window) {
      this.window = Checks.positive("window", window);
      return this;
    }

    /** Must be > 0; 1 is linear. */
    public Builder aggression(double aggression) {
      if (!(aggression > 0) || Double.isInfinite(aggression)) {
        throw new IllegalArgumentException("aggression must be > 0 but was " + aggression);
      }
      this.aggression = aggression;
      return this;
    }

    /** The floor of the ramp, 1 to 100. */
    public Builder minWeightPercent(int percent) {
      if (percent < 1 || percent > 100) {
        throw new IllegalArgumentException(
            "minWeightPercent must be between 1 and 100 but was " + percent);
      }
      this.minWeightPercent = percent;
      return this;
    }

    public SlowStart build() {
      return new SlowStart(window, aggression, minWeightPercent);
    }
  }
}
