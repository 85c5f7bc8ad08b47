package io.scaleblocks.session;

import java.time.Clock;
import java.util.Objects;

/**
 * The in-memory store: sessions in one JVM's heap, for a single web server, tests and the embedded
 * demo. Sessions expire on the store's clock: a call that finds one expired removes it, and a sweep
 * every second on a shared daemon thread removes those nobody asks for; {@link SessionStore#close}
 * stops the sweep and drops every session. The Redis and JDBC stores are in
 * {@code io.scaleblocks.session.redis} and {@code io.scaleblocks.session.jdbc}.
 *
 * <pre>{@code
 * SessionStore store = SessionStores.inMemory().config(SessionStoreConfig.ofDefaults()).build();
 * }</pre>
 */
public final class SessionStores {

  private SessionStores() {}

  public static InMemoryBuilder inMemory() {
    return new InMemoryBuilder();
  }

  /** Configures an in-memory store. Not thread-safe. */
  public static final class InMemoryBuilder {
    SessionStoreConfig config = SessionStoreConfig.ofDefaults();
    SessionIds ids;
    Clock clock = Clock.systemUTC();

    InMemoryBuilder() {}

    public InMemoryBuilder config(SessionStoreConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** The id generator; by default {@link SessionIds#secure(int)} with the config's bits. */
    public InMemoryBuilder ids(SessionIds ids) {
      this.ids = Objects.requireNonNull(ids, "ids");
      return this;
    }

    /** The clock every timeout is measured on (a test's fake clock). */
    public InMemoryBuilder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public SessionStore build() {
      return new InMemorySessionStore(this);
    }
  }
}
