package io.scaleblocks.lb;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/** Reads config values from string maps ({@code Properties}, Spring's binder, env maps). */
final class ConfigValues {

  private ConfigValues() {}

  static <V> void read(
      Map<String, String> values, String key, Function<String, V> parse, Consumer<V> setter) {
    String raw = values.get(key);
    if (raw == null) {
      return;
    }
    V value;
    try {
      value = parse.apply(raw.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + " is not valid: '" + raw + "'", e);
    }
    setter.accept(value);
  }

  /** ISO-8601 ({@code PT5S}) or a number with a unit: {@code 250ms}, {@code 5s}, {@code 2m}. */
  static Duration duration(String text) {
    if (text.startsWith("P") || text.startsWith("p")) {
      return Duration.parse(text);
    }
    if (text.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
    }
    long amount = Long.parseLong(text.substring(0, text.length() - 1));
    switch (text.charAt(text.length() - 1)) {
      case 's':
        return Duration.ofSeconds(amount);
      case 'm':
        return Duration.ofMinutes(amount);
      case 'h':
        return Duration.ofHours(amount);
      default:
        throw new IllegalArgumentException("unknown unit in '" + text + "'");
    }
  }

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
