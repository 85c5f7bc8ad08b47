package io.scaleblocks.session;

import java.util.Objects;

/**
 * A typed attribute key: a name and the codec of its values. Declare it once as a constant:
 *
 * <pre>{@code
 * static final SessionAttribute<String> USER = SessionAttribute.of("user", SessionCodecs.string());
 * }</pre>
 *
 * @param name 1 to {@value #MAX_NAME_LENGTH} characters, none of them a control character
 */
public record SessionAttribute<T>(String name, SessionCodec<T> codec) {

  public static final int MAX_NAME_LENGTH = 200;

  public SessionAttribute {
    checkName(name);
    Objects.requireNonNull(codec, "codec");
  }

  public static <T> SessionAttribute<T> of(String name, SessionCodec<T> codec) {
    return new SessionAttribute<>(name, codec);
  }

  public static SessionAttribute<String> string(String name) {
    return of(name, SessionCodecs.string());
  }

  public static SessionAttribute<Long> longValue(String name) {
    return of(name, SessionCodecs.longs());
  }

  static String checkName(String name) {
    Objects.requireNonNull(name, "attribute name");
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("attribute name must have 1 to " + MAX_NAME_LENGTH
          + " characters but was '" + name + "' (" + name.length() + ")");
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        throw new IllegalArgumentException("attribute name must not contain control characters but was '"
            + name.replaceAll("\\p{Cntrl}", "?") + "'");
      }
    }
    return name;
  }
}
