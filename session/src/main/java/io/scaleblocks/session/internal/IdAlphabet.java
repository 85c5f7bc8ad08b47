package io.scaleblocks.session.internal;

/**
 * The characters of session ids: URL-safe base64 ({@code [A-Za-z0-9_-]}) for the ids this module
 * makes, and that plus {@code .} for the foreign ids a store takes without strict ids.
 */
public final class IdAlphabet {

  /** URL-safe base64's digits, in their order. */
  public static final String BASE64URL =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  private static final boolean[] BASE64URL_CHARS = new boolean[128];

  static {
    for (char c : BASE64URL.toCharArray()) {
      BASE64URL_CHARS[c] = true;
    }
  }

  private IdAlphabet() {}

  /** Whether {@code c} is a character of the ids this module makes. */
  public static boolean isIdChar(char c) {
    return c < BASE64URL_CHARS.length && BASE64URL_CHARS[c];
  }

  /** Whether {@code c} may stand in a foreign id: an id character or {@code .}. */
  public static boolean isForeignIdChar(char c) {
    return c == '.' || isIdChar(c);
  }
}
