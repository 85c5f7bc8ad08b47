package io.scaleblocks.session;

import io.scaleblocks.config.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * What every store shares: its name, the three timeouts OWASP asks for, and the ids.
 *
 * <ul>
 *   <li><b>idle timeout</b> ({@code idle-timeout}, default {@link #DEFAULT_IDLE_TIMEOUT}): a session
 *       not used for this long expires; every find or touch restarts it;
 *   <li><b>absolute timeout</b> ({@code absolute-timeout}, default {@link #DEFAULT_ABSOLUTE_TIMEOUT}):
 *       a session expires this long after it was created, however busy;
 *   <li><b>renewal timeout</b> ({@code renewal-timeout}, default none): a session expires this long
 *       after its id was last issued, unless {@link SessionStore#changeId} renewed it (the web
 *       filters renew after half of it);
 *   <li>{@code id-bits} (default {@link SessionIds#DEFAULT_BITS}) and {@code strict-ids} (default
 *       true: a find with an id of another shape is refused without asking the store).
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class SessionStoreConfig {

  public static final String DEFAULT_NAME = "sessions";
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(30);
  public static final Duration DEFAULT_ABSOLUTE_TIMEOUT = Duration.ofHours(8);
  public static final boolean DEFAULT_STRICT_IDS = true;
  static final Duration MAX_TIMEOUT = Duration.ofDays(366);

  private final String name;
  private final Duration idleTimeout;
  private final Duration absoluteTimeout;
  private final Optional<Duration> renewalTimeout;
  private final int idBits;
  private final boolean strictIds;

  private SessionStoreConfig(Builder b) {
    this.name = b.name;
    this.idleTimeout = b.idleTimeout;
    this.absoluteTimeout = b.absoluteTimeout;
    this.renewalTimeout = Optional.ofNullable(b.renewalTimeout);
    this.idBits = b.idBits;
    this.strictIds = b.strictIds;
  }

  public static SessionStoreConfig ofDefaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** From settings keys (see the class comment); unknown keys and bad values are refused by name. */
  public static SessionStoreConfig from(Map<String, ?> map) {
    return from(Settings.of("session-store", map));
  }

  public static SessionStoreConfig from(Properties properties) {
    return from(Settings.of("session-store", properties));
  }

  private static SessionStoreConfig from(Settings settings) {
    Builder b = builder()
        .name(settings.string("name", DEFAULT_NAME))
        .idleTimeout(settings.duration("idle-timeout", Duration.ofMillis(1), MAX_TIMEOUT, DEFAULT_IDLE_TIMEOUT))
        .absoluteTimeout(settings.duration("absolute-timeout", Duration.ofMillis(1), MAX_TIMEOUT,
            DEFAULT_ABSOLUTE_TIMEOUT))
        .idBits(settings.intValue("id-bits", SessionIds.MIN_BITS, SessionIds.MAX_BITS, SessionIds.DEFAULT_BITS))
        .strictIds(settings.bool("strict-ids", DEFAULT_STRICT_IDS));
    if (settings.has("renewal-timeout")) {
      b.renewalTimeout(settings.duration("renewal-timeout", Duration.ofMillis(1), MAX_TIMEOUT, null));
    }
    settings.done();
    return b.build();
  }

  public String name() {
    return name;
  }

  public Duration idleTimeout() {
    return idleTimeout;
  }

  public Duration absoluteTimeout() {
    return absoluteTimeout;
  }

  public Optional<Duration> renewalTimeout() {
    return renewalTimeout;
  }

  public int idBits() {
    return idBits;
  }

  public boolean strictIds() {
    return strictIds;
  }

  @Override
  public String toString() {
    return "SessionStoreConfig[name=" + name + ", idle=" + idleTimeout + ", absolute=" + absoluteTimeout
        + ", renewal=" + renewalTimeout.map(Duration::toString).orElse("none") + ", idBits=" + idBits
        + ", strictIds=" + strictIds + "]";
  }

  /** Validates every value as it is set and names the bad one. Not thread-safe. */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration absoluteTimeout = DEFAULT_ABSOLUTE_TIMEOUT;
    private Duration renewalTimeout;
    private int idBits = SessionIds.DEFAULT_BITS;
    private boolean strictIds = DEFAULT_STRICT_IDS;

    private Builder() {}

    /** Starts every log line and meter tag of the store. */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank but was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = positive("idle timeout", timeout);
      return this;
    }

    public Builder absoluteTimeout(Duration timeout) {
      this.absoluteTimeout = positive("absolute timeout", timeout);
      return this;
    }

    public Builder renewalTimeout(Duration timeout) {
      this.renewalTimeout = positive("renewal timeout", timeout);
      return this;
    }

    public Builder idBits(int bits) {
      if (bits < SessionIds.MIN_BITS || bits > SessionIds.MAX_BITS || bits % 8 != 0) {
        throw new IllegalArgumentException("id bits must be a multiple of 8 between " + SessionIds.MIN_BITS
            + " and " + SessionIds.MAX_BITS + " but was " + bits);
      }
      this.idBits = bits;
      return this;
    }

    public Builder strictIds(boolean strict) {
      this.strictIds = strict;
      return this;
    }

    public SessionStoreConfig build() {
      return new SessionStoreConfig(this);
    }

    private static Duration positive(String what, Duration timeout) {
      Objects.requireNonNull(timeout, what);
      if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0 || timeout.toMillis() == 0) {
        throw new IllegalArgumentException(what + " must be between 1ms and " + MAX_TIMEOUT.toDays()
            + " days but was " + timeout);
      }
      return timeout;
    }
  }
}
