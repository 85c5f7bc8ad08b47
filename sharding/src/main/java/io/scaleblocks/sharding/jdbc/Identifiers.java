package io.scaleblocks.sharding.jdbc;

import java.util.Objects;
import java.util.regex.Pattern;

/** SQL identifiers that this package splices into statements are checked to be plain names. */
final class Identifiers {

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");

  private Identifiers() {}

  static String check(String identifier) {
    Objects.requireNonNull(identifier, "identifier must not be null");
    if (!PLAIN.matcher(identifier).matches()) {
      throw new IllegalArgumentException(
          "identifier must be a plain SQL name ([A-Za-z_][A-Za-z0-9_]*) but was '" + identifier + "'");
    }
    return identifier;
  }
}
