package io.scaleblocks.session.internal;

import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionConflictException;
import io.scaleblocks.session.SessionCookieConfig;
import io.scaleblocks.session.SessionException;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStoreException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * One request's session, as both web filters handle it: found lazily from the cookie's id on
 * first use, created on demand, rotated or invalidated on request, saved once at commit (before
 * the response's headers go out), with the {@code Set-Cookie} value the commit implies. A session
 * found past half its renewal timeout gets a new id when it is loaded; if a parallel request
 * renewed it first, this request goes on with the session as it loaded it (a save of changes
 * under the old id is then refused like any save of a renamed session). One request's thread
 * only.
 */
public final class RequestSession {

  private static final int MAX_COOKIES_TRIED = 3;

  private final SessionStore store;
  private final SessionCookieConfig cookie;
  private final List<String> candidateIds;
  private final Clock clock;
  private boolean looked;
  private Session session;
  private boolean cookieChanged;
  private boolean invalidated;
  private boolean committed;

  public RequestSession(SessionStore store, SessionCookieConfig cookie, List<String> candidateIds, Clock clock) {
    this.store = store;
    this.cookie = cookie;
    this.candidateIds = candidateIds;
    this.clock = clock;
  }

  /** A request's session, named by the values of its {@code Cookie} headers (null when it has none). */
  public static RequestSession fromCookieHeaders(SessionStore store, SessionCookieConfig cookie,
      List<String> cookieHeaders, Clock clock) {
    return new RequestSession(store, cookie, idsIn(cookieHeaders, cookie.name()), clock);
  }

  /**
   * The status both filters answer a session failure with, while the response is not committed:
   * {@code 503} for an unreachable store, {@code 409} for a refused save, {@code 500} for a
   * garbled attribute.
   */
  public static int statusOf(SessionException e) {
    if (e instanceof SessionStoreException) {
      return 503;
    }
    return e instanceof SessionConflictException ? 409 : 500;
  }

  /** The {@code Retry-After} header of that answer: one second for an unreachable store, else none. */
  public static Optional<String> retryAfterOf(SessionException e) {
    return e instanceof SessionStoreException ? Optional.of("1") : Optional.empty();
  }

  /** Logs that answer: an unreachable store at {@code WARN}, the others at {@code INFO}. */
  public static void logAnswer(Logger log, String storeName, SessionException e) {
    if (e instanceof SessionStoreException) {
      log.warn("{} - store unavailable, answering 503: {}", storeName, e.getMessage());
    } else {
      log.info("{} - answering {}: {}", storeName, statusOf(e), e.getMessage());
    }
  }

  /** The ids in a {@code Cookie} header's values that carry the cookie's name, in order. */
  public static List<String> idsIn(List<String> cookieHeaders, String name) {
    if (cookieHeaders == null) {
      return List.of();
    }
    List<String> ids = new ArrayList<>();
    for (String header : cookieHeaders) {
      for (String pair : header.split(";")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
          String value = pair.substring(eq + 1).trim();
          if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          if (!value.isEmpty()) {
            ids.add(value);
          }
        }
      }
    }
    return ids;
  }

  /** The session the cookie names, loaded on the first call. */
  public Optional<Session> existing() {
    if (!looked) {
      for (String id : candidateIds.subList(0, Math.min(MAX_COOKIES_TRIED, candidateIds.size()))) {
        // a find that throws leaves the lookup to do again: the next call must not take the
        // cookie's session for absent and hand out a new one in its place
        Optional<Session> found = store.find(id);
        if (found.isPresent()) {
          session = found.get();
          break;
        }
      }
      looked = true;
      if (session != null) {
        renewIfDue();
      }
    }
    return invalidated ? Optional.empty() : Optional.ofNullable(session);
  }

  private void renewIfDue() {
    Optional<java.time.Duration> renewal = session.renewalTimeout();
    if (renewal.isPresent()
        && clock.millis() - session.renewedTime().toEpochMilli() >= renewal.get().toMillis() / 2) {
      try {
        rotate();
      } catch (SessionConflictException e) {
        if (e.reason() != SessionConflictException.Reason.SESSION_GONE) {
          throw e;
        }
        // a parallel request renewed it first: serve the session as loaded, under the old cookie
      }
    }
  }

  /** The session, created (with a fresh id, never the client's) when there is none. */
  public Session getOrCreate() {
    Optional<Session> found = existing();
    if (found.isPresent()) {
      return found.get();
    }
    session = store.create();
    invalidated = false;
    cookieChanged = true;
    return session;
  }

  /** Gives the session a new id now (after a login); creates one when there is none. */
  public void rotate() {
    Session s = getOrCreate();
    store.changeId(s);
    cookieChanged = true;
  }

  /** Deletes the session now and clears the cookie. */
  public void invalidate() {
    Optional<Session> s = existing();
    s.ifPresent(x -> store.delete(x.id()));
    if (s.isPresent() || !candidateIds.isEmpty()) {
      invalidated = true;
      cookieChanged = true;
    }
  }

  /**
   * Saves what the request changed, once; later calls save any later changes.
   *
   * @throws io.scaleblocks.session.SessionException as {@link SessionStore#save} does
   */
  public void commit() {
    if (session != null && !invalidated && session.hasChanges()) {
      store.save(session);
    }
    committed = true;
  }

  public boolean isCommitted() {
    return committed;
  }

  /** The {@code Set-Cookie} value to send, if the client's cookie must change. */
  public Optional<String> setCookie() {
    if (!cookieChanged) {
      return Optional.empty();
    }
    if (invalidated || session == null) {
      return Optional.of(cookie.clearCookie());
    }
    return Optional.of(cookie.setCookie(session.id()));
  }
}
