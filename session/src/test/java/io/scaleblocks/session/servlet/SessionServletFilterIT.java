package io.scaleblocks.session.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.session.MutableClock;
import io.scaleblocks.session.OutageStore;
import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionAttribute;
import io.scaleblocks.session.SessionCookieConfig;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStores;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The servlet filter in a real embedded Jetty 12 (EE10), driven by the JDK's HTTP client. */
class SessionServletFilterIT {

  private static final SessionAttribute<Long> COUNT = SessionAttribute.longValue("count");

  private final MutableClock clock = new MutableClock();
  private final AtomicBoolean down = new AtomicBoolean();
  private SessionStore memory;
  private OutageStore outage;
  private Server server;
  private int port;

  @BeforeEach
  void start() throws Exception {
    memory = SessionStores.inMemory().clock(clock).build();
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    ServletHolder pages = new ServletHolder(new Pages());
    pages.setAsyncSupported(true);
    context.addServlet(pages, "/*");
    ServletHolder syncPages = new ServletHolder(new Pages());
    syncPages.setAsyncSupported(false);
    context.addServlet(syncPages, "/sync/*");
    outage = new OutageStore(memory, down);
    SessionServletFilter filter = SessionServletFilter.builder(outage).clock(clock)
        .cookie(SessionCookieConfig.builder().secure(false).sameSite(SessionCookieConfig.SameSite.STRICT).build())
        .build();
    FilterHolder sessions = new FilterHolder(filter);
    sessions.setAsyncSupported(true);
    context.addFilter(sessions, "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    server.start();
    port = connector.getLocalPort();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
  }

  /** The pages a user's servlet would have. */
  static final class Pages extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String arg = Optional.ofNullable(req.getParameter("name")).orElse("");
      String body;
      switch (req.getPathInfo() == null ? req.getServletPath() : req.getPathInfo()) {
        case "/count" -> {
          Session s = SessionServletFilter.session(req);
          long next = s.get(COUNT).orElse(0L) + 1;
          s.set(COUNT, next);
          body = Long.toString(next);
        }
        case "/set" -> {
          SessionServletFilter.session(req).set(SessionAttribute.string(arg), arg);
          body = "ok";
        }
        case "/login" -> {
          SessionServletFilter.session(req).setPrincipal(arg);
          SessionServletFilter.rotateId(req);
          body = "welcome";
        }
        case "/redirect" -> {
          SessionServletFilter.session(req).set(COUNT, 100L);
          resp.sendRedirect("/count");
          return;
        }
        case "/write-then-change" -> {
          resp.getWriter().write("early ");
          SessionServletFilter.session(req).set(COUNT, 7L);
          body = "late";
        }
        case "/writer-then-change-then-big-body" -> {
          java.io.PrintWriter writer = resp.getWriter();
          SessionServletFilter.session(req).set(COUNT, 8L);
          writer.write("x".repeat(256 * 1024));
          return;
        }
        case "/theme-write-then-count" -> {
          resp.addCookie(new jakarta.servlet.http.Cookie("theme", "dark"));
          resp.getWriter().write("early ");
          SessionServletFilter.session(req).set(COUNT, 5L);
          body = "late";
        }
        case "/new-write-then-login" -> {
          resp.addCookie(new jakarta.servlet.http.Cookie("theme", "dark"));
          SessionServletFilter.session(req).set(COUNT, 6L);
          resp.getWriter().write("early ");
          SessionServletFilter.session(req).setPrincipal(arg);
          SessionServletFilter.rotateId(req);
          body = "welcome";
        }
        case "/write-reset-write" -> {
          SessionServletFilter.session(req).set(COUNT, 3L);
          resp.getWriter().write("discarded");
          resp.reset();
          body = "after reset";
        }
        case "/async" -> {
          SessionServletFilter.session(req).set(COUNT, 12L);
          jakarta.servlet.AsyncContext async = req.startAsync();
          java.util.concurrent.CountDownLatch flushed = new java.util.concurrent.CountDownLatch(1);
          new Thread(() -> {
            try {
              async.getResponse().getWriter().write("async");
              async.getResponse().flushBuffer();
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            } finally {
              flushed.countDown();
              async.complete();
            }
          }).start();
          try {
            // the response went out from the other thread before this one returns to the filter
            flushed.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return;
        }
        case "/write-reset-redirect" -> {
          SessionServletFilter.session(req).set(COUNT, 40L);
          resp.getWriter().write("discarded");
          resp.reset();
          resp.sendRedirect("/count");
          return;
        }
        case "/write-reset-big-body" -> {
          SessionServletFilter.session(req).set(COUNT, 41L);
          resp.getWriter().write("discarded");
          resp.reset();
          resp.getWriter().write("y".repeat(256 * 1024));
          return;
        }
        case "/send-error" -> {
          SessionServletFilter.session(req).set(COUNT, 42L);
          resp.sendError(403);
          return;
        }
        case "/async-fallback" -> {
          SessionServletFilter.session(req).set(COUNT, 43L);
          try {
            req.startAsync();
            throw new AssertionError("async is not supported on /sync");
          } catch (IllegalStateException notSupported) {
            // the servlet answers synchronously instead
            SessionServletFilter.session(req).set(COUNT, 44L);
            body = "sync";
          }
        }
        case "/own-session-cookie-write-then-login" -> {
          // a cookie of the session cookie's name that the servlet sets before the filter's save
          resp.addCookie(new jakarta.servlet.http.Cookie("SBSESSION", "stale"));
          SessionServletFilter.session(req).set(COUNT, 45L);
          resp.getWriter().write("early ");
          SessionServletFilter.session(req).setPrincipal(arg);
          SessionServletFilter.rotateId(req);
          body = "welcome";
        }
        case "/throw" -> {
          SessionServletFilter.session(req).set(COUNT, 9L);
          throw new IllegalStateException("the servlet failed");
        }
        default -> body = "no session used";
      }
      resp.setContentType("text/plain");
      resp.getWriter().write(body);
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static HttpResponse<String> send(HttpClient client, URI uri, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String idOf(HttpResponse<String> r) {
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    return cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
  }

  @Test
  void aCounterLivesInTheStoreAcrossRequestsWithTheConfiguredCookie() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> first = send(client, uri("/count"), null);
    String cookie = first.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cookie.matches("SBSESSION=[A-Za-z0-9_-]{47}; Path=/; HttpOnly; SameSite=Strict"), cookie);
    String id = idOf(first);
    assertEquals("2", send(client, uri("/count"), "SBSESSION=" + id).body());
    assertEquals(Optional.of(2L), memory.find(id).orElseThrow().get(COUNT));
    assertEquals("no session used", send(client, uri("/other"), null).body());
  }

  @Test
  void aRedirectStillCarriesTheCookieAndTheSavedChange() throws Exception {
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    assertEquals("101", send(browser, uri("/redirect"), null).body());
  }

  @Test
  void loginRotatesTheId() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    String id = idOf(send(client, uri("/count"), null));
    String rotated = idOf(send(client, uri("/login?name=ada"), "SBSESSION=" + id));
    assertEquals(Optional.empty(), memory.find(id));
    assertEquals(List.of(rotated), memory.findIdsByPrincipal("ada"));
  }

  @Test
  void aStoreOutageIsA503WithoutTheServletsBody() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    String id = idOf(send(client, uri("/count"), null));
    down.set(true);
    HttpResponse<String> during = send(client, uri("/count"), "SBSESSION=" + id);
    assertEquals(503, during.statusCode());
    assertEquals("", during.body());
    assertEquals(Optional.of("1"), during.headers().firstValue("Retry-After"));
    down.set(false);
    assertEquals("2", send(client, uri("/count"), "SBSESSION=" + id).body());
  }

  @Test
  void sixtyFourConcurrentRequestsEachKeepTheirAttribute() throws Exception {
    Session s = memory.create();
    memory.save(s);
    HttpClient client = HttpClient.newBuilder().executor(java.util.concurrent.Executors.newFixedThreadPool(16)).build();
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      responses.add(client.sendAsync(HttpRequest.newBuilder(uri("/set?name=attr-" + i))
          .header("Cookie", "SBSESSION=" + s.id()).build(), HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> r : responses) {
      assertEquals(200, r.get(60, TimeUnit.SECONDS).statusCode());
    }
    Session after = memory.find(s.id()).orElseThrow();
    for (int i = 0; i < 64; i++) {
      assertEquals(Optional.of("attr-" + i), after.get(SessionAttribute.string("attr-" + i)));
    }
  }

  private void failEverySave() {
    outage.beforeSave = () -> {
      throw new io.scaleblocks.session.SessionStoreException("outage - save refused by the test", null);
    };
  }

  @Test
  void aLateSaveThatFailsBeforeTheResponseCommittedIsA503NotA200() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    String id = idOf(send(client, uri("/count"), null));
    failEverySave();
    HttpResponse<String> r = send(client, uri("/write-then-change"), "SBSESSION=" + id);
    assertEquals(503, r.statusCode());
    assertEquals("", r.body());
    assertEquals(Optional.of(1L), memory.find(id).orElseThrow().get(COUNT));
  }

  @Test
  void theFirstWriteNotGetWriterSavesSoAChangeInBetweenStillGetsItsFailureStatus() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    String id = idOf(send(client, uri("/count"), null));
    failEverySave();
    HttpResponse<String> r = send(client, uri("/writer-then-change-then-big-body"), "SBSESSION=" + id);
    assertEquals(503, r.statusCode());
    assertEquals("", r.body());
    outage.beforeSave = () -> { };
    send(client, uri("/writer-then-change-then-big-body"), "SBSESSION=" + id);
    assertEquals(Optional.of(8L), memory.find(id).orElseThrow().get(COUNT));
  }

  @Test
  void theChangesOfAServletThatThrowsAreSaved() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    String id = idOf(send(client, uri("/count"), null));
    assertEquals(500, send(client, uri("/throw"), "SBSESSION=" + id).statusCode());
    assertEquals(Optional.of(9L), memory.find(id).orElseThrow().get(COUNT));
  }

  private static List<String> setCookies(HttpResponse<String> r) {
    return r.headers().allValues("Set-Cookie");
  }

  @Test
  void aSessionCreatedAfterTheBodyStartedKeepsTheServletsOwnCookies() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> r = send(client, uri("/theme-write-then-count"), null);
    assertEquals("early late", r.body());
    List<String> cookies = setCookies(r);
    assertTrue(cookies.stream().anyMatch(c -> c.startsWith("theme=dark")), cookies.toString());
    String id = cookies.stream().filter(c -> c.startsWith("SBSESSION=")).findFirst().orElseThrow();
    id = id.substring("SBSESSION=".length(), id.indexOf(';'));
    assertEquals(Optional.of(5L), memory.find(id).orElseThrow().get(COUNT));
  }

  @Test
  void aLoginAfterTheBodyStartedReplacesOnlyTheSessionCookie() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> r = send(client, uri("/new-write-then-login?name=ada"), null);
    assertEquals("early welcome", r.body());
    List<String> cookies = setCookies(r);
    assertTrue(cookies.stream().anyMatch(c -> c.startsWith("theme=dark")), cookies.toString());
    List<String> sessionCookies = cookies.stream().filter(c -> c.startsWith("SBSESSION=")).toList();
    assertEquals(1, sessionCookies.size(), cookies.toString());
    String id = sessionCookies.get(0).substring("SBSESSION=".length(), sessionCookies.get(0).indexOf(';'));
    assertEquals(List.of(id), memory.findIdsByPrincipal("ada"));
    assertEquals(Optional.of(6L), memory.find(id).orElseThrow().get(COUNT));
  }

  @Test
  void aResetAfterTheSessionWasSavedStillSendsItsCookie() throws Exception {
    HttpResponse<String> r = send(HttpClient.newHttpClient(), uri("/write-reset-write"), null);
    assertEquals("after reset", r.body());
    List<String> sessionCookies = setCookies(r).stream().filter(c -> c.startsWith("SBSESSION=")).toList();
    assertEquals(1, sessionCookies.size(), setCookies(r).toString());
    String id = sessionCookies.get(0).substring("SBSESSION=".length(), sessionCookies.get(0).indexOf(';'));
    assertEquals(Optional.of(3L), memory.find(id).orElseThrow().get(COUNT));
  }

  @Test
  void anAsyncServletWhoseOtherThreadAnswersFirstStillSendsTheCookieOfTheSessionItSaved() throws Exception {
    HttpResponse<String> r = send(HttpClient.newHttpClient(), uri("/async"), null);
    assertEquals(200, r.statusCode());
    assertEquals("async", r.body());
    String id = idOf(r);
    assertEquals(Optional.of(12L), memory.find(id).orElseThrow().get(COUNT));
  }

  @Test
  void anAsyncServletWhoseSaveFailsWhenItGoesAsynchronousIsA503WithoutItsBody() throws Exception {
    failEverySave();
    HttpResponse<String> r = send(HttpClient.newHttpClient(), uri("/async"), null);
    assertEquals(503, r.statusCode());
    assertEquals("", r.body());
    assertEquals(List.of(), setCookies(r));
  }

  private String sessionIdOf(HttpResponse<String> r) {
    List<String> sessionCookies = setCookies(r).stream().filter(c -> c.startsWith("SBSESSION=")).toList();
    assertEquals(1, sessionCookies.size(), r.statusCode() + " " + setCookies(r));
    return sessionCookies.get(0).substring("SBSESSION=".length(), sessionCookies.get(0).indexOf(';'));
  }

  @Test
  void aRedirectAfterAResetStillCarriesTheCookieOfTheSessionSavedBeforeIt() throws Exception {
    HttpResponse<String> r = send(HttpClient.newHttpClient(), uri("/write-reset-redirect"), null);
    assertEquals(302, r.statusCode());
    assertEquals(Optional.of(40L), memory.find(sessionIdOf(r)).orElseThrow().get(COUNT));
  }

  @Test
  void aBodyThatCommitsTheResponseAfterAResetStillCarriesTheSessionCookie() throws Exception {
    HttpResponse<String> r = send(HttpClient.newHttpClient(), uri("/write-reset-big-body"), null);
    assertEquals(200, r.statusCode());
    assertEquals(Optional.of(41L), memory.find(sessionIdOf(r)).orElseThrow().get(COUNT));
  }

  @Test
  void anErrorSentByTheServletCarriesTheCookieOfTheSessionItSaved() throws Exception {
    HttpResponse<String> r = send(HttpClient.newHttpClient(), uri("/send-error"), null);
    assertEquals(403, r.statusCode());
    assertEquals(Optional.of(42L), memory.find(sessionIdOf(r)).orElseThrow().get(COUNT));
  }

  @Test
  void aServletWhoseStartAsyncIsRefusedHasWhatItChangesAfterSavedAtTheEnd() throws Exception {
    HttpResponse<String> r = send(HttpClient.newHttpClient(), uri("/sync/async-fallback"), null);
    assertEquals("sync", r.body());
    assertEquals(Optional.of(44L), memory.find(sessionIdOf(r)).orElseThrow().get(COUNT));
  }

  /** The value a browser keeps of the {@code SBSESSION} cookies a response sets: the last one's. */
  private static String sessionCookieKept(HttpResponse<String> r) {
    List<String> sessionCookies = setCookies(r).stream().filter(c -> c.startsWith("SBSESSION=")).toList();
    String last = sessionCookies.get(sessionCookies.size() - 1);
    int end = last.indexOf(';');
    return last.substring("SBSESSION=".length(), end < 0 ? last.length() : end);
  }

  @Test
  void aLoginAfterTheBodyStartedKeepsTheSessionCookieAfterACookieOfTheSameNameTheServletSetBefore() throws Exception {
    HttpResponse<String> r = send(HttpClient.newHttpClient(), uri("/own-session-cookie-write-then-login?name=ada"), null);
    assertEquals("early welcome", r.body());
    String kept = sessionCookieKept(r);
    assertEquals(List.of(kept), memory.findIdsByPrincipal("ada"), setCookies(r).toString());
    assertEquals(Optional.of(45L), memory.find(kept).orElseThrow().get(COUNT));
  }
}
