package io.scaleblocks.lb;

import java.time.Duration;

/** The checks the config builders share; each names the setting and the bad value. */
final class ConfigValues {

  private ConfigValues() {}

  static Duration positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0 but was " + value);
    }
    return value;
  }

  static int atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + " but was " + value);
    }
    return value;
  }

  static double fraction(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be between 0 and 1 but was " + value);
    }
    return value;
  }
}
