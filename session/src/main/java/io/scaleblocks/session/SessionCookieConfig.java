package io.scaleblocks.session;

import io.scaleblocks.config.Settings;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The session cookie the web filters read and write: name (default {@value #DEFAULT_NAME}), {@code
 * Path} (default {@code /}), optional {@code Domain}, {@code HttpOnly} (default on), {@code Secure}
 * (default on: turn it off only for plain-HTTP development) and {@code SameSite} (default {@code
 * Lax}). The cookie has no {@code Max-Age}: it lives as long as the browser session, and the store's
 * timeouts decide how long the session lives. Immutable.
 *
 * <p>Settings keys for {@link #from(Map)}: {@code name}, {@code path}, {@code domain}, {@code
 * http-only}, {@code secure}, {@code same-site} ({@code strict}, {@code lax} or {@code none}).
 */
public final class SessionCookieConfig {

  public static final String DEFAULT_NAME = "SBSESSION";
  public static final String DEFAULT_PATH = "/";
  public static final SameSite DEFAULT_SAME_SITE = SameSite.LAX;

  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}");
  private static final Pattern PATH = Pattern.compile("/[\\x21-\\x3a\\x3c-\\x7e]{0,255}");
  private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9.-]{1,253}");

  /** The {@code SameSite} attribute. {@code NONE} requires {@code Secure}. */
  public enum SameSite { STRICT, LAX, NONE }

  private final String name;
  private final String path;
  private final Optional<String> domain;
  private final boolean httpOnly;
  private final boolean secure;
  private final SameSite sameSite;

  private SessionCookieConfig(Builder b) {
    this.name = b.name;
    this.path = b.path;
    this.domain = Optional.ofNullable(b.domain);
    this.httpOnly = b.httpOnly;
    this.secure = b.secure;
    this.sameSite = b.sameSite;
  }

  public static SessionCookieConfig ofDefaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public static SessionCookieConfig from(Map<String, ?> map) {
    Settings s = Settings.of("session-cookie", map);
    Builder b = builder().name(s.string("name", DEFAULT_NAME)).path(s.string("path", DEFAULT_PATH))
        .httpOnly(s.bool("http-only", true)).secure(s.bool("secure", true))
        .sameSite(s.enumValue("same-site", SameSite.class, DEFAULT_SAME_SITE));
    s.optionalString("domain").ifPresent(b::domain);
    s.done();
    return b.build();
  }

  public String name() {
    return name;
  }

  public String path() {
    return path;
  }

  public Optional<String> domain() {
    return domain;
  }

  public boolean httpOnly() {
    return httpOnly;
  }

  public boolean secure() {
    return secure;
  }

  public SameSite sameSite() {
    return sameSite;
  }

  /** The {@code Set-Cookie} value that gives the client {@code id}. */
  public String setCookie(String id) {
    return name + "=" + id + attributes();
  }

  /** The {@code Set-Cookie} value that makes the client drop the cookie. */
  public String clearCookie() {
    return name + "=; Max-Age=0" + attributes();
  }

  private String attributes() {
    StringBuilder b = new StringBuilder("; Path=").append(path);
    domain.ifPresent(d -> b.append("; Domain=").append(d));
    if (secure) {
      b.append("; Secure");
    }
    if (httpOnly) {
      b.append("; HttpOnly");
    }
    String site = sameSite.name();
    b.append("; SameSite=").append(site.charAt(0)).append(site.substring(1).toLowerCase(Locale.ROOT));
    return b.toString();
  }

  /** Validates every value as it is set. Not thread-safe. */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private String path = DEFAULT_PATH;
    private String domain;
    private boolean httpOnly = true;
    private boolean secure = true;
    private SameSite sameSite = DEFAULT_SAME_SITE;

    private Builder() {}

    public Builder name(String name) {
      this.name = matching("cookie name", name, TOKEN);
      return this;
    }

    public Builder path(String path) {
      this.path = matching("cookie path", path, PATH);
      return this;
    }

    public Builder domain(String domain) {
      this.domain = matching("cookie domain", domain, DOMAIN);
      return this;
    }

    public Builder httpOnly(boolean httpOnly) {
      this.httpOnly = httpOnly;
      return this;
    }

    public Builder secure(boolean secure) {
      this.secure = secure;
      return this;
    }

    public Builder sameSite(SameSite sameSite) {
      this.sameSite = Objects.requireNonNull(sameSite, "sameSite");
      return this;
    }

    public SessionCookieConfig build() {
      if (sameSite == SameSite.NONE && !secure) {
        throw new IllegalArgumentException("SameSite=None needs Secure, but secure was false");
      }
      return new SessionCookieConfig(this);
    }

    private static String matching(String what, String value, Pattern pattern) {
      Objects.requireNonNull(value, what);
      if (!pattern.matcher(value).matches()) {
        throw new IllegalArgumentException(what + " has characters a cookie cannot carry: '" + value + "'");
      }
      return value;
    }
  }
}
