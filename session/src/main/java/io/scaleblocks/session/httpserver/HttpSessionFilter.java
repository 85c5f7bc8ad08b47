package io.scaleblocks.session.httpserver;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionCodecException;
import io.scaleblocks.session.SessionConflictException;
import io.scaleblocks.session.SessionCookieConfig;
import io.scaleblocks.session.SessionException;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStoreException;
import io.scaleblocks.session.internal.RequestSession;
import java.io.IOException;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the handlers of a JDK {@code HttpServer} context a session from a {@link SessionStore}.
 *
 * <pre>{@code
 * HttpSessionFilter sessions = HttpSessionFilter.builder(store).build();
 * server.createContext("/", exchange -> {
 *   Session session = sessions.session(exchange);
 *   ...
 * }).getFilters().add(sessions);
 * }</pre>
 *
 * <p>Per request: nothing is read from the store until a handler asks ({@link #session}, {@link
 * #existingSession}); the session is saved, with only what the request changed, when the handler
 * sends the response headers (or returns without sending them), and the {@code Set-Cookie} header
 * goes out only after that save succeeded. Changes made after the headers went out are saved when
 * the handler returns; if that save fails, the failure is logged at {@code WARN}, since the
 * response is gone. A handler that throws still has its session changes saved before the
 * exception goes on to the server (a save failure then is logged at {@code WARN}). A new session
 * never takes the id a client sent.
 *
 * <p>Failures become responses, if the headers were not sent yet: an unreachable store ({@link
 * SessionStoreException}) {@code 503} with {@code Retry-After: 1}; a refused save ({@link
 * SessionConflictException}) {@code 409}; a garbled attribute ({@link SessionCodecException})
 * {@code 500}. The handler's own body is then discarded. Thread-safe; one instance serves every
 * request.
 */
public final class HttpSessionFilter extends Filter {

  private static final Logger LOG = LoggerFactory.getLogger(HttpSessionFilter.class);

  private final SessionStore store;
  private final SessionCookieConfig cookie;
  private final Clock clock;

  private HttpSessionFilter(Builder b) {
    this.store = b.store;
    this.cookie = b.cookie;
    this.clock = b.clock;
  }

  public static Builder builder(SessionStore store) {
    return new Builder(store);
  }

  @Override
  public String description() {
    return "sessions from " + store.name();
  }

  /**
   * The request's session, created when it has none.
   *
   * @throws SessionStoreException when the store cannot be read (the filter answers 503)
   */
  public Session session(HttpExchange exchange) {
    return of(exchange).getOrCreate();
  }

  /** The request's session, if its cookie names a live one. */
  public Optional<Session> existingSession(HttpExchange exchange) {
    return of(exchange).existing();
  }

  /** Gives the request's session a new id now: call it right after a login. */
  public void rotateId(HttpExchange exchange) {
    of(exchange).rotate();
  }

  /** Deletes the request's session and clears the cookie: a logout. */
  public void invalidate(HttpExchange exchange) {
    of(exchange).invalidate();
  }

  private static RequestSession of(HttpExchange exchange) {
    if (exchange instanceof SessionExchange wrapped) {
      return wrapped.requestSession;
    }
    throw new IllegalStateException("this exchange did not pass through an HttpSessionFilter; add the filter "
        + "to the context's filters");
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    RequestSession request = RequestSession.fromCookieHeaders(store, cookie, exchange.getRequestHeaders().get("Cookie"),
        clock);
    SessionExchange wrapped = new SessionExchange(exchange, request, this);
    try {
      try {
        chain.doFilter(wrapped);
      } catch (IOException | RuntimeException | Error e) {
        if (!(e instanceof SessionException)) {
          saveAfterHandlerFailure(wrapped, request, e);
        }
        throw e;
      }
      if (!wrapped.headersSent()) {
        wrapped.commit();
      } else if (!wrapped.failed()) {
        saveLate(request);
      }
    } catch (SessionException e) {
      if (wrapped.headersSent()) {
        LOG.warn("{} - session failure after the response was sent: {}", store.name(), e.toString());
        throw new IOException(e);
      }
      wrapped.fail(e);
    }
  }

  /** Saves what a handler changed before it threw; a save failure is logged, the handler's failure propagates. */
  private void saveAfterHandlerFailure(SessionExchange wrapped, RequestSession request, Throwable handlerFailure) {
    if (wrapped.failed()) {
      return;
    }
    try {
      request.commit();
    } catch (SessionException e) {
      LOG.warn("{} - saving the session after the handler failed ({}) failed too: {}", store.name(),
          handlerFailure.toString(), e.toString());
    }
  }

  /** Saves what changed after the headers went out; a failure can only be logged now. */
  private void saveLate(RequestSession request) {
    try {
      request.commit();
    } catch (SessionException e) {
      LOG.warn("{} - saving the session after the response was sent failed: {}", store.name(), e.toString());
    }
  }

  /** Commits the session before the headers go out; answers the failure instead if it fails. */
  boolean commitBeforeHeaders(SessionExchange exchange, RequestSession request) throws IOException {
    try {
      request.commit();
      request.setCookie().ifPresent(value -> exchange.getResponseHeaders().add("Set-Cookie", value));
      return true;
    } catch (SessionException e) {
      exchange.fail(e);
      return false;
    }
  }

  void log(SessionException e) {
    RequestSession.logAnswer(LOG, store.name(), e);
  }

  /** Configures the filter. Not thread-safe. */
  public static final class Builder {
    private final SessionStore store;
    private SessionCookieConfig cookie = SessionCookieConfig.ofDefaults();
    private Clock clock = Clock.systemUTC();

    private Builder(SessionStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    public Builder cookie(SessionCookieConfig cookie) {
      this.cookie = Objects.requireNonNull(cookie, "cookie");
      return this;
    }

    /** The clock that decides when a session is due for renewal (the store's clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public HttpSessionFilter build() {
      return new HttpSessionFilter(this);
    }
  }
}
