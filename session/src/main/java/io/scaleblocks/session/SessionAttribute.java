package io.scaleblocks.session;

import java.util.Objects;

/**
 * A typed attribute key: a name and the codec of its values. Declare it once as a constant:
 *
 * <pre>{@code
 * static final SessionAttribute<String> USER = SessionAttribute.of("user", SessionCodecs.string());
 * }</pre>
 *
 * @param name 1 to {@value #MAX_NAME_LENGTH} characters, none of them a control character or a lone
 *     half of a surrogate pair (which UTF-8 cannot encode: two such names would be stored as one)
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
    return StoredText.check("attribute name", name, MAX_NAME_LENGTH, true);
  }

}
