package io.scaleblocks.queue.internal;

import java.util.Objects;

/** Checks topic, group and consumer names for every backend. Not API. */
public final class Names {

  private Names() {}

  /** {@code value} if it is a valid name, otherwise an exception that names {@code what} and it. */
  public static String check(String what, String value) {
    Objects.requireNonNull(value, what);
    if (!valid(value)) {
      throw new IllegalArgumentException(what + " must be 1 to 100 characters of [A-Za-z0-9._-] but was '"
          + value + "'");
    }
    return value;
  }

  /**
   * {@code topic} if it is a valid name or the dead-letter topic of a topic with a valid name (the
   * name followed by {@code .dlq}, once or more, at most 255 characters: a file name on the file
   * log), so that the dead letters of a topic with a 100-character name can be read.
   */
  public static String checkTopic(String topic) {
    Objects.requireNonNull(topic, "topic");
    String base = topic;
    while (base.length() > 100 && base.endsWith(".dlq")) {
      base = base.substring(0, base.length() - 4);
    }
    if (topic.length() > 255 || !valid(base)) {
      throw new IllegalArgumentException("topic must be 1 to 100 characters of [A-Za-z0-9._-]"
          + " (or such a topic's dead-letter topic, up to 255) but was '" + topic + "'");
    }
    return topic;
  }

  /** [A-Za-z0-9._-]{1,100}, not "." or "..": a loop, since it runs on every publish and poll. */
  private static boolean valid(String value) {
    int n = value.length();
    if (n < 1 || n > 100 || value.equals(".") || value.equals("..")) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** Refuses a {@code max} below 1. */
  public static int checkMax(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1 but was " + max);
    }
    return max;
  }
}
