package io.scaleblocks.session.servlet;

import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionCookieConfig;
import io.scaleblocks.session.SessionException;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.internal.RequestSession;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A servlet {@link Filter} that gives each request a session from a {@link SessionStore}:
 *
 * <pre>{@code
 * context.addFilter(new FilterHolder(SessionServletFilter.builder(store).build()), "/*", null);
 * // in a servlet or controller:
 * Session session = SessionServletFilter.session(request);
 * }</pre>
 *
 * <p>The session is loaded on first use, and saved (only what the request changed) before the
 * first byte of the body is written, a flush, a {@code sendError} or a {@code sendRedirect}, so that the
 * cookie and any failure status can still be set; changes made after that are saved when the
 * request ends (a failure then still becomes the failure's status if the response is not
 * committed yet, and is only logged once it is). A servlet that throws
 * still has its session changes saved before the exception goes on to the container (a save
 * failure then is logged at {@code WARN}). Failures before the
 * response is committed become a {@code 503} (store unavailable, with {@code Retry-After: 1}),
 * {@code 409} (save refused) or {@code 500} (garbled attribute), and the servlet's own output is
 * discarded. A servlet that goes asynchronous ({@code startAsync}) has its session saved, and the
 * cookie set, when it does, before another thread can answer; changes after that it saves itself
 * ({@code store.save(session)}), and {@code startAsync()} gives that thread the filter's response.
 * Thread-safe.
 */
public final class SessionServletFilter implements Filter {

  /** The request attribute under which the request's session state is kept. */
  public static final String ATTRIBUTE = SessionServletFilter.class.getName() + ".session";
  private static final Logger LOG = LoggerFactory.getLogger(SessionServletFilter.class);

  private final SessionStore store;
  private final SessionCookieConfig cookie;
  private final Clock clock;

  private SessionServletFilter(Builder b) {
    this.store = b.store;
    this.cookie = b.cookie;
    this.clock = b.clock;
  }

  public static Builder builder(SessionStore store) {
    return new Builder(store);
  }

  /** The request's session, created when it has none. */
  public static Session session(ServletRequest request) {
    return of(request).getOrCreate();
  }

  /** The request's session, if its cookie names a live one. */
  public static Optional<Session> existingSession(ServletRequest request) {
    return of(request).existing();
  }

  /** Gives the request's session a new id now: call it right after a login. */
  public static void rotateId(ServletRequest request) {
    of(request).rotate();
  }

  /** Deletes the request's session and clears the cookie: a logout. */
  public static void invalidate(ServletRequest request) {
    of(request).invalidate();
  }

  private static RequestSession of(ServletRequest request) {
    if (request.getAttribute(ATTRIBUTE) instanceof RequestSession state) {
      return state;
    }
    throw new IllegalStateException("this request did not pass through a SessionServletFilter");
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
        || request.getAttribute(ATTRIBUTE) != null) {
      chain.doFilter(req, res);
      return;
    }
    RequestSession state = RequestSession.fromCookieHeaders(store, cookie,
        Collections.list(request.getHeaders("Cookie")), clock);
    request.setAttribute(ATTRIBUTE, state);
    CommittingResponse wrapped = new CommittingResponse(response, this, state);
    try {
      try {
        chain.doFilter(new SavingRequest(request, wrapped), wrapped);
      } catch (IOException | RuntimeException | Error e) {
        if (!(e instanceof SessionException)) {
          saveAfterServletFailure(wrapped, e);
        }
        throw e;
      } catch (ServletException e) {
        if (!(e.getCause() instanceof SessionException)) {
          saveAfterServletFailure(wrapped, e);
        }
        throw e;
      }
      if (!wrapped.isAsync()) {
        wrapped.commitSession();
      }
    } catch (ServletException e) {
      if (!(e.getCause() instanceof SessionException cause)) {
        throw e;
      }
      failed(wrapped, cause);
    } catch (SessionException e) {
      failed(wrapped, e);
    }
  }

  /** Saves what a servlet changed before it threw; a save failure is logged, the servlet's failure propagates. */
  private void saveAfterServletFailure(CommittingResponse wrapped, Throwable servletFailure) {
    try {
      wrapped.saveAfterServletFailure();
    } catch (SessionException e) {
      LOG.warn("{} - saving the session after the servlet failed ({}) failed too: {}", store.name(),
          servletFailure.toString(), e.toString());
    }
  }

  private void failed(CommittingResponse wrapped, SessionException e) throws IOException {
    if (!wrapped.fail(e)) {
      LOG.warn("{} - session failure after the response was committed: {}", store.name(), e.toString());
    }
  }

  void log(SessionException e) {
    RequestSession.logAnswer(LOG, store.name(), e);
  }

  void logLate(SessionException e) {
    LOG.warn("{} - saving the session after the response was committed failed: {}", store.name(), e.toString());
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

    public SessionServletFilter build() {
      return new SessionServletFilter(this);
    }
  }
}
