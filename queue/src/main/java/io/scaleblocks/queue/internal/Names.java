package io.scaleblocks.queue.internal;

import java.util.Objects;
import java.util.regex.Pattern;

/** Checks topic, group and consumer names for every backend. Not API. */
public final class Names {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private Names() {}

  /** {@code value} if it is a valid name, otherwise an exception that names {@code what} and it. */
  public static String check(String what, String value) {
    Objects.requireNonNull(value, what);
    if (!NAME.matcher(value).matches() || value.equals(".") || value.equals("..")) {
      throw new IllegalArgumentException(what + " must be 1 to 100 characters of [A-Za-z0-9._-] but was '"
          + value + "'");
    }
    return value;
  }

  /** Refuses a {@code max} below 1. */
  public static int checkMax(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1 but was " + max);
    }
    return max;
  }
}
