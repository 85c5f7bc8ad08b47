package io.scaleblocks.cache.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Parsing of string settings for the builders' {@code from(Map)} methods. */
public final class Settings {

  private Settings() {}

  /** {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 2d}, or ISO-8601 ({@code PT10S}). */
  public static Duration duration(String name, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("p")) {
        return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
      }
      long amount = Long.parseLong(v.substring(0, v.length() - 1).trim());
      switch (v.charAt(v.length() - 1)) {
        case 's': return Duration.ofSeconds(amount);
        case 'm': return Duration.ofMinutes(amount);
        case 'h': return Duration.ofHours(amount);
        case 'd': return Duration.ofDays(amount);
        default: break;
      }
    } catch (RuntimeException e) {
      // fall through to the message below, which names the setting
    }
    throw new IllegalArgumentException(
        name + " must be a duration like 250ms, 10s, 5m or PT10S but was '" + value + "'");
  }

  public static long positiveLong(String name, String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number but was '" + value + "'", e);
    }
  }

  public static double number(String name, String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number but was '" + value + "'", e);
    }
  }

  public static void rejectUnknown(Map<String, String> settings, Set<String> known) {
    for (String key : settings.keySet()) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException("unknown setting '" + key + "'; known: " + known);
      }
    }
  }
}
