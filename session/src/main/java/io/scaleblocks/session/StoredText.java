package io.scaleblocks.session;

import java.util.Objects;

/**
 * The check of a name or principal every store keeps as given: 1 to a maximum of characters, no
 * control character (PostgreSQL refuses a NUL) and no lone half of a surrogate pair (UTF-8 has no
 * encoding for it: Redis and JDBC would both store {@code ?}, so two different names would become
 * one).
 */
final class StoredText {

  private StoredText() {}

  /**
   * Returns {@code text} if a store can keep it.
   *
   * @param quoted whether the exception may quote the text (an attribute name, which is code) or
   *     not (a principal, which is a user's)
   * @throws IllegalArgumentException naming {@code what}, the length or the index of the first
   *     character that cannot be kept, and if quoted the text with that character as {@code ?}
   */
  static String check(String what, String text, int maxLength, boolean quoted) {
    Objects.requireNonNull(text, what);
    if (text.isEmpty() || text.length() > maxLength) {
      throw new IllegalArgumentException(what + " must have 1 to " + maxLength + " characters but had "
          + text.length() + quote(text, quoted));
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c)) {
        throw new IllegalArgumentException(what + " must not contain control characters but has one at index "
            + i + quote(text, quoted));
      }
      if (Character.isSurrogate(c)) {
        boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
            && Character.isLowSurrogate(text.charAt(i + 1));
        if (!paired) {
          throw new IllegalArgumentException(what + " must not contain a lone surrogate but has one at index "
              + i + quote(text, quoted));
        }
        i++;
      }
    }
    return text;
  }

  private static String quote(String text, boolean quoted) {
    return quoted ? ": '" + printable(text) + "'" : "";
  }

  /** The text with each control character and lone surrogate shown as {@code ?}. */
  private static String printable(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        b.append(c).append(text.charAt(++i));
      } else {
        b.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
      }
    }
    return b.toString();
  }
}
