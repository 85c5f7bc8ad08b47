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
