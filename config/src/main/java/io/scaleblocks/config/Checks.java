package io.scaleblocks.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The range checks every module's configuration builders share. Each names the setting and the
 * bad value in its exception, so a wrong setting reads as "max-lag must be > 0 but was PT0S".
 * Stateless and thread-safe.
 */
public final class Checks {

  private Checks() {}

  /**
   * @return {@code value}
   * @throws NullPointerException naming the setting, if {@code value} is null
   * @throws IllegalArgumentException if {@code value} is zero or negative
   */
  public static Duration positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0 but was " + value);
    }
    return value;
  }

  /**
   * @return {@code value}
   * @throws NullPointerException naming the setting, if {@code value} is null
   * @throws IllegalArgumentException if {@code value} is negative
   */
  public static Duration nonNegative(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must be >= 0 but was " + value);
    }
    return value;
  }

  /**
   * @return {@code value}
   * @throws IllegalArgumentException if {@code value} is below {@code min}
   */
  public static int atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + " but was " + value);
    }
    return value;
  }

  /**
   * @return {@code value}
   * @throws IllegalArgumentException if {@code value} is not between 0 and 1 (NaN included)
   */
  public static double fraction(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be between 0 and 1 but was " + value);
    }
    return value;
  }
}
