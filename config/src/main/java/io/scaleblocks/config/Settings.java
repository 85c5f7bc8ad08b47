package io.scaleblocks.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Settings read from a map or {@link Properties}, by the one convention every ScaleBlocks module
 * follows in its {@code from(Map)} form.
 *
 * <ul>
 *   <li><b>Keys</b> are written in kebab-case ({@code max-size}), and matched the way Spring Boot's
 *       relaxed binding matches them: case and the separators {@code -} and {@code _} are ignored,
 *       so {@code maxSize}, {@code max_size} and {@code MAX_SIZE} all mean {@code max-size}. Nested
 *       settings use {@code .} ({@code health.interval}) and lists an index ({@code replicas[0].url}).
 *       A key that two spellings in one map name twice is refused.
 *   <li><b>Durations</b> are a whole number with a unit, {@code ns}, {@code us}, {@code ms}, {@code s},
 *       {@code m}, {@code h} or {@code d} ({@code 250ms}, {@code 10s}); a bare number is milliseconds;
 *       ISO-8601 ({@code PT0.25S}) and {@link Duration} values are accepted too.
 *   <li><b>Numbers</b> are checked against the range the setting accepts before they are narrowed: a
 *       value outside it is refused, never truncated.
 *   <li><b>Unknown keys</b> are refused by {@link #done()}, with the keys that are known.
 * </ul>
 *
 * <p>Every refusal is an {@link IllegalArgumentException} whose message names the settings, the
 * key, the value and what is accepted, for example {@code "outlier-detection: 'consecutive-failures'
 * must be between 1 and 1000 but was '0'"}.
 *
 * <p>Read every setting, then call {@link #done()}. Not thread-safe: one reader a map.
 */
public final class Settings {

  private final String name;
  /** Normalised key → the key as the user wrote it. */
  private final Map<String, String> spelling;
  /** Normalised key → value. */
  private final Map<String, Object> values;
  private final Set<String> known = new TreeSet<>();
  private final Set<String> read = new TreeSet<>();
  private final List<Settings> sections = new ArrayList<>();

  private Settings(String name, Map<String, ?> raw) {
    this.name = Objects.requireNonNull(name, "name");
    Objects.requireNonNull(raw, "settings");
    Map<String, String> spelling = new LinkedHashMap<>();
    Map<String, Object> values = new LinkedHashMap<>();
    raw.forEach((key, value) -> {
      Objects.requireNonNull(key, () -> name + ": a setting has a null key");
      String normal = normalise(key);
      String earlier = spelling.putIfAbsent(normal, key);
      if (earlier != null) {
        throw new IllegalArgumentException(
            name + ": '" + earlier + "' and '" + key + "' are the same setting, given twice");
      }
      values.put(normal, value);
    });
    this.spelling = spelling;
    this.values = values;
  }

  /** Settings named {@code name} in messages (the component they configure). */
  public static Settings of(String name, Map<String, ?> values) {
    return new Settings(name, values);
  }

  /** Settings named {@code name} in messages, from {@link Properties}. */
  public static Settings of(String name, Properties properties) {
    Map<String, Object> values = new LinkedHashMap<>();
    properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key)));
    properties.forEach((key, value) -> values.put(String.valueOf(key), value));
    return new Settings(name, values);
  }

  /** The value of {@code key} as text, exactly as given (not trimmed), or empty when it is absent. */
  public Optional<String> optionalString(String key) {
    Object value = take(key);
    return value == null ? Optional.empty() : Optional.of(value.toString());
  }

  /** The value of {@code key} as text, or {@code defaultValue} when it is absent. */
  public String string(String key, String defaultValue) {
    return optionalString(key).orElse(defaultValue);
  }

  /**
   * Whether {@code key} was given. It counts as known, and as read: a caller that asks is the one
   * that handles it.
   */
  public boolean has(String key) {
    known.add(key);
    String normal = normalise(key);
    read.add(normal);
    return values.containsKey(normal);
  }

  /** {@code true} or {@code false}, in any case. */
  public boolean bool(String key, boolean defaultValue) {
    Object value = take(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    String text = value.toString().trim();
    if (text.equalsIgnoreCase("true")) {
      return true;
    }
    if (text.equalsIgnoreCase("false")) {
      return false;
    }
    throw refuse(key, value, "must be true or false");
  }

  /** A whole number within {@code [min, max]}. */
  public int intValue(String key, int min, int max, int defaultValue) {
    return (int) longValue(key, min, max, defaultValue);
  }

  /** A whole number within {@code [min, max]}. */
  public long longValue(String key, long min, long max, long defaultValue) {
    Object value = take(key);
    if (value == null) {
      return defaultValue;
    }
    BigDecimal number = decimal(key, value);
    if (number.stripTrailingZeros().scale() > 0) {
      throw refuse(key, value, "must be a whole number between " + min + " and " + max);
    }
    if (number.compareTo(BigDecimal.valueOf(min)) < 0 || number.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw refuse(key, value, "must be between " + min + " and " + max);
    }
    return number.longValueExact();
  }

  /** A number within {@code [min, max]}. */
  public double doubleValue(String key, double min, double max, double defaultValue) {
    Object value = take(key);
    if (value == null) {
      return defaultValue;
    }
    double number = decimal(key, value).doubleValue();
    if (!(number >= min && number <= max)) {
      throw refuse(key, value, "must be between " + min + " and " + max);
    }
    return number;
  }

  /** A duration within {@code [min, max]}, in the convention's forms. */
  public Duration duration(String key, Duration min, Duration max, Duration defaultValue) {
    Object value = take(key);
    if (value == null) {
      return defaultValue;
    }
    Duration duration = parseDuration(key, value);
    if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
      throw refuse(key, value, "must be between " + format(min) + " and " + format(max));
    }
    return duration;
  }

  /** One of {@code type}'s constants, matched like keys ({@code least-request} is {@code LEAST_REQUEST}). */
  public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
    Object value = take(key);
    if (value == null) {
      return defaultValue;
    }
    if (type.isInstance(value)) {
      return type.cast(value);
    }
    String wanted = normalise(value.toString());
    List<String> accepted = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      if (normalise(constant.name()).equals(wanted)) {
        return constant;
      }
      accepted.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    throw refuse(key, value, "must be one of " + accepted);
  }

  /**
   * The settings nested under {@code prefix} ({@code health.interval} is {@code interval} of the
   * section {@code health}). Its keys are checked by its own {@link #done()}, which this one's
   * {@link #done()} calls too.
   */
  public Settings section(String prefix) {
    known.add(prefix + ".*");
    String start = normalise(prefix) + ".";
    Map<String, Object> nested = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : values.entrySet()) {
      if (entry.getKey().startsWith(start)) {
        read.add(entry.getKey());
        nested.put(after(spelling.get(entry.getKey()), start.length()), entry.getValue());
      }
    }
    return handOut(new Settings(name + "." + prefix, nested));
  }

  /**
   * The list {@code prefix[0].…}, {@code prefix[1].…}, in index order. An index is {@code 0} or a
   * number without leading zeros or sign; an index missing from the sequence is refused. Each
   * entry checks its keys in its own {@link #done()}, which this one's {@link #done()} calls too.
   */
  public List<Settings> sections(String prefix) {
    known.add(prefix + "[*].*");
    String start = normalise(prefix) + "[";
    TreeMap<Integer, Map<String, Object>> byIndex = new TreeMap<>();
    for (Map.Entry<String, Object> entry : values.entrySet()) {
      String key = entry.getKey();
      if (!key.startsWith(start)) {
        continue;
      }
      int close = key.indexOf("].", start.length());
      String index = close < 0 ? "" : key.substring(start.length(), close);
      if (!index.matches("0|[1-9][0-9]{0,8}")) {
        throw new IllegalArgumentException(
            name + ": '" + spelling.get(key) + "' must look like " + prefix + "[0].name");
      }
      read.add(key);
      String rest = after(spelling.get(key), close + 2);
      byIndex.computeIfAbsent(Integer.parseInt(index), i -> new LinkedHashMap<>()).put(rest, entry.getValue());
    }
    List<Settings> list = new ArrayList<>();
    for (Map.Entry<Integer, Map<String, Object>> entry : byIndex.entrySet()) {
      if (entry.getKey() != list.size()) {
        throw new IllegalArgumentException(
            name + ": " + prefix + "[" + list.size() + "] is missing before " + prefix + "[" + entry.getKey() + "]");
      }
      list.add(handOut(new Settings(name + "." + prefix + "[" + entry.getKey() + "]", entry.getValue())));
    }
    return Collections.unmodifiableList(list);
  }

  private Settings handOut(Settings section) {
    sections.add(section);
    return section;
  }

  /**
   * Refuses any key that no read asked for, here and in every section handed out.
   *
   * @throws IllegalArgumentException naming the first unknown key and every known one
   */
  public void done() {
    for (Map.Entry<String, String> entry : spelling.entrySet()) {
      if (!read.contains(entry.getKey())) {
        throw new IllegalArgumentException(
            name + ": unknown setting '" + entry.getValue() + "'; known: " + known);
      }
    }
    sections.forEach(Settings::done);
  }

  /**
   * What follows, in the key as the user spelled it, the first {@code normalLength} characters of
   * its normalised form.
   */
  private static String after(String original, int normalLength) {
    int seen = 0;
    int i = 0;
    while (i < original.length() && seen < normalLength) {
      if (!isSeparator(original.charAt(i))) {
        seen++;
      }
      i++;
    }
    while (i < original.length() && isSeparator(original.charAt(i))) {
      i++;
    }
    return original.substring(i);
  }

  private static boolean isSeparator(char c) {
    return c == '-' || c == '_' || Character.isWhitespace(c);
  }

  /** The key in the convention's matching form: lower case, without {@code -} or {@code _}. */
  static String normalise(String key) {
    StringBuilder normal = new StringBuilder(key.length());
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!isSeparator(c)) {
        normal.append(Character.toLowerCase(c));
      }
    }
    return normal.toString();
  }

  private Object take(String key) {
    known.add(key);
    String normal = normalise(key);
    if (!values.containsKey(normal)) {
      return null;
    }
    read.add(normal);
    Object value = values.get(normal);
    if (value == null || (value instanceof CharSequence text && text.toString().isBlank())) {
      throw refuse(key, value, "must not be empty");
    }
    return value;
  }

  private BigDecimal decimal(String key, Object value) {
    try {
      if (value instanceof Number number && !(value instanceof BigDecimal)) {
        return number instanceof Double || number instanceof Float
            ? BigDecimal.valueOf(number.doubleValue())
            : new BigDecimal(number.toString());
      }
      return new BigDecimal(value.toString().trim());
    } catch (NumberFormatException e) {
      throw refuse(key, value, "must be a finite number");
    }
  }

  private Duration parseDuration(String key, Object value) {
    if (value instanceof Duration duration) {
      return duration;
    }
    if (value instanceof Number) {
      BigDecimal millis = decimal(key, value);
      if (millis.stripTrailingZeros().scale() > 0) {
        throw refuse(key, value, "must be a whole number of milliseconds or a duration like 250ms");
      }
      try {
        return Duration.ofMillis(millis.longValueExact());
      } catch (ArithmeticException e) {
        throw refuse(key, value, "must be a duration like 250ms, 10s, 5m or PT10S");
      }
    }
    String text = value.toString().trim();
    String lower = text.toLowerCase(Locale.ROOT);
    try {
      if (lower.startsWith("p") || lower.startsWith("-p")) {
        return Duration.parse(text.toUpperCase(Locale.ROOT));
      }
      int unit = 0;
      while (unit < lower.length()
          && (isAsciiDigit(lower.charAt(unit)) || (unit == 0 && (lower.charAt(0) == '-' || lower.charAt(0) == '+')))) {
        unit++;
      }
      long amount = Long.parseLong(lower.substring(0, unit));
      switch (lower.substring(unit).trim()) {
        case "": case "ms": return Duration.ofMillis(amount);
        case "ns": return Duration.ofNanos(amount);
        case "us": return Duration.ofNanos(Math.multiplyExact(amount, 1_000L));
        case "s": return Duration.ofSeconds(amount);
        case "m": return Duration.ofMinutes(amount);
        case "h": return Duration.ofHours(amount);
        case "d": return Duration.ofDays(amount);
        default: break;
      }
    } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
      // the message below names the setting and the accepted forms
    }
    throw refuse(key, value, "must be a duration like 250ms, 10s, 5m or PT10S");
  }

  private static boolean isAsciiDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private IllegalArgumentException refuse(String key, Object value, String what) {
    String given = spelling.getOrDefault(normalise(key), key);
    return new IllegalArgumentException(name + ": '" + given + "' " + what + " but was "
        + (value == null ? "empty" : "'" + value + "'"));
  }

  /** {@code 250ms}, {@code 10s}, … where the duration is a whole number of the unit. */
  static String format(Duration duration) {
    long nanos;
    try {
      nanos = duration.toNanos();
    } catch (ArithmeticException e) {
      return duration.toString();
    }
    if (nanos % 86_400_000_000_000L == 0 && nanos != 0) return nanos / 86_400_000_000_000L + "d";
    if (nanos % 3_600_000_000_000L == 0 && nanos != 0) return nanos / 3_600_000_000_000L + "h";
    if (nanos % 60_000_000_000L == 0 && nanos != 0) return nanos / 60_000_000_000L + "m";
    if (nanos % 1_000_000_000L == 0) return nanos / 1_000_000_000L + "s";
    if (nanos % 1_000_000L == 0) return nanos / 1_000_000L + "ms";
    if (nanos % 1_000L == 0) return nanos / 1_000L + "us";
    return nanos + "ns";
  }
}
