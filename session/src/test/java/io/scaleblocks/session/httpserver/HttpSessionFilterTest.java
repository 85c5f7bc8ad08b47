package io.scaleblocks.session.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.session.MutableClock;
import io.scaleblocks.session.OutageStore;
import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionAttribute;
import io.scaleblocks.session.SessionCodecs;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStoreConfig;
import io.scaleblocks.session.SessionStores;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpSessionFilterTest {

  private final MutableClock clock = new MutableClock();
  private final AtomicBoolean down = new AtomicBoolean();
  private SessionStore memory;
  private SessionWebApp app;
  private OutageStore outage;

  @BeforeEach
  void start() throws Exception {
    memory = SessionStores.inMemory().clock(clock).config(SessionStoreConfig.builder()
        .renewalTimeout(Duration.ofMinutes(20)).build()).build();
    outage = new OutageStore(memory, down);
    app = new SessionWebApp(outage, clock);
  }

  @AfterEach
  void stop() {
    app.close();
  }

  private static String cookieOf(HttpResponse<String> response) {
    return response.headers().firstValue("Set-Cookie").orElse("");
  }

  private static HttpResponse<String> raw(java.net.URI uri, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aNewSessionIsSavedAndItsCookieCarriesTheConfiguredFlags() throws Exception {
    HttpResponse<String> first = raw(app.uri("/count"), null);
    String cookie = cookieOf(first);
    assertTrue(cookie.matches("SBSESSION=[A-Za-z0-9_-]{47}; Path=/; HttpOnly; SameSite=Lax"), cookie);
    String id = cookie.substring("SBSESSION=".length(), cookie.indexOf(';'));
    assertEquals(Optional.of(1L), memory.find(id).orElseThrow().get(SessionWebApp.COUNT));
    HttpResponse<String> second = raw(app.uri("/count"), "other=1; SBSESSION=" + id);
    assertEquals("2", second.body());
    assertEquals("", cookieOf(second), "an unchanged id is not sent again");
  }

  @Test
  void aRequestThatUsesNoSessionNeverReachesTheStore() throws Exception {
    down.set(true);
    HttpResponse<String> r = raw(app.uri("/none"), "SBSESSION=whatever");
    assertEquals(200, r.statusCode());
    assertEquals("", cookieOf(r));
  }

  @Test
  void aClientChosenIdIsNeverAdopted() throws Exception {
    String chosen = "AAAA" + "a".repeat(43);
    HttpResponse<String> r = raw(app.uri("/count"), "SBSESSION=" + chosen);
    assertEquals("1", r.body());
    assertFalse(cookieOf(r).contains(chosen));
    assertEquals(Optional.empty(), memory.find(chosen));
  }

  @Test
  void loginRotatesTheIdAndTheOldCookieFindsNothing() throws Exception {
    HttpClient browser = SessionWebApp.browser();
    SessionWebApp.get(browser, app.uri("/set?name=cart"));
    String before = raw(app.uri("/none"), null).body();
    HttpResponse<String> login = SessionWebApp.get(browser, app.uri("/login?user=ada"));
    String rotated = cookieOf(login);
    assertTrue(rotated.startsWith("SBSESSION="), rotated);
    assertEquals("cart", SessionWebApp.get(browser, app.uri("/get?name=cart")).body());
    assertEquals(1, memory.findIdsByPrincipal("ada").size());
    assertEquals("no session used", before);
    assertEquals(1, memory.stats().idRotations());
  }

  @Test
  void logoutDeletesTheSessionAndClearsTheCookie() throws Exception {
    HttpClient browser = SessionWebApp.browser();
    SessionWebApp.get(browser, app.uri("/set?name=cart"));
    HttpResponse<String> out = SessionWebApp.get(browser, app.uri("/logout"));
    assertTrue(cookieOf(out).startsWith("SBSESSION=; Max-Age=0"), cookieOf(out));
    assertEquals("-", SessionWebApp.get(browser, app.uri("/names")).body());
    assertEquals(1, memory.stats().deleted());
  }

  @Test
  void aSessionPastHalfItsRenewalTimeoutGetsANewIdOnItsNextRequest() throws Exception {
    String cookie = cookieOf(raw(app.uri("/count"), null));
    String id = cookie.substring(10, cookie.indexOf(';'));
    clock.advance(Duration.ofMinutes(10));
    HttpResponse<String> r = raw(app.uri("/count"), "SBSESSION=" + id);
    assertEquals("2", r.body());
    String renewed = cookieOf(r);
    assertNotEquals(id, renewed.substring(10, renewed.indexOf(';')));
    assertEquals(Optional.empty(), memory.find(id));
  }

  @Test
  void aRenewalThatAParallelRequestWonServesTheLoadedSessionInsteadOfA409() throws Exception {
    Session s = memory.create();
    s.set(SessionAttribute.string("cart"), "cart");
    memory.save(s);
    clock.advance(Duration.ofMinutes(10));
    outage.beforeChangeId = () -> {
      outage.beforeChangeId = () -> { };
      memory.changeId(memory.find(s.id()).orElseThrow());
    };
    HttpResponse<String> r = raw(app.uri("/get?name=cart"), "SBSESSION=" + s.id());
    assertEquals(200, r.statusCode());
    assertEquals("cart", r.body());
    assertEquals("", cookieOf(r), "the winner's response carries the new id");
  }

  @Test
  void theChangesOfAHandlerThatThrowsAreSaved() throws Exception {
    String cookie = cookieOf(raw(app.uri("/count"), null));
    String id = cookie.substring(10, cookie.indexOf(';'));
    try {
      raw(app.uri("/boom"), "SBSESSION=" + id);
    } catch (java.io.IOException expected) {
      // the server closes the exchange of a handler that threw
    }
    io.scaleblocks.testkit.Await.until("the change before the throw to be saved", Duration.ofSeconds(5),
        () -> memory.find(id).orElseThrow().get(SessionAttribute.string("before-boom")).isPresent());
  }

  @Test
  void aStoreOutageIsA503AndTheSessionIsThereWhenTheStoreReturns() throws Exception {
    String cookie = cookieOf(raw(app.uri("/count"), null));
    String id = cookie.substring(10, cookie.indexOf(';'));
    down.set(true);
    HttpResponse<String> during = raw(app.uri("/count"), "SBSESSION=" + id);
    assertEquals(503, during.statusCode());
    assertEquals(Optional.of("1"), during.headers().firstValue("Retry-After"));
    assertEquals("", during.body(), "the handler's body is not sent with a 503");
    HttpResponse<String> newcomer = raw(app.uri("/count"), null);
    assertEquals(503, newcomer.statusCode());
    assertEquals("", cookieOf(newcomer), "no cookie for a session that was not saved");
    down.set(false);
    assertEquals("2", raw(app.uri("/count"), "SBSESSION=" + id).body());
  }

  @Test
  void aHandlerThatAsksAgainAfterAFailedLookupGetsTheSessionOfItsCookieNotANewOne() throws Exception {
    String cookie = cookieOf(raw(app.uri("/count"), null));
    String id = cookie.substring(10, cookie.indexOf(';'));
    app.onStoreFailure = () -> down.set(false);
    down.set(true);
    HttpResponse<String> r = raw(app.uri("/count-retrying"), "SBSESSION=" + id);
    assertEquals(200, r.statusCode());
    assertEquals("2", r.body(), "the count of the cookie's session");
    assertEquals("", cookieOf(r), "the client keeps its cookie");
    assertEquals(1, memory.activeSessions().orElseThrow());
  }

  @Test
  void aSaveRefusedByTheVersionRuleIsA409AndTheFirstWriterKeepsItsValue() throws Exception {
    String cookie = cookieOf(raw(app.uri("/count"), null));
    String id = cookie.substring(10, cookie.indexOf(';'));
    outage.beforeSave = () -> {
      outage.beforeSave = () -> { };
      Session other = memory.find(id).orElseThrow();
      other.set(SessionWebApp.COUNT, 40L);
      memory.save(other);
    };
    HttpResponse<String> refused = raw(app.uri("/count"), "SBSESSION=" + id);
    assertEquals(409, refused.statusCode());
    assertEquals("41", raw(app.uri("/count"), "SBSESSION=" + id).body());
  }

  @Test
  void aRequestInFlightWithTheOldIdThatChangedTheSessionIsA409AfterALoginRotatedIt() throws Exception {
    String cookie = cookieOf(raw(app.uri("/count"), null));
    String oldId = cookie.substring(10, cookie.indexOf(';'));
    String[] newId = new String[1];
    outage.beforeSave = () -> {
      outage.beforeSave = () -> { };
      Session login = memory.find(oldId).orElseThrow();
      memory.changeId(login);
      newId[0] = login.id();
    };
    HttpResponse<String> inFlight = raw(app.uri("/count"), "SBSESSION=" + oldId);
    assertEquals(409, inFlight.statusCode());
    assertEquals("", cookieOf(inFlight), "no cookie for a session that was not saved");
    assertEquals(Optional.empty(), memory.find(oldId), "no grace period: the old id finds nothing");
    assertEquals(Optional.of(1L), memory.find(newId[0]).orElseThrow().get(SessionWebApp.COUNT),
        "the refused change is not applied under the new id either");
  }

  @Test
  void aChangeMadeAfterTheHeadersWentOutIsSavedWhenTheHandlerReturns() throws Exception {
    String cookie = cookieOf(raw(app.uri("/count"), null));
    String id = cookie.substring(10, cookie.indexOf(';'));
    assertEquals("sent", raw(app.uri("/late"), "SBSESSION=" + id).body());
    // the save runs when the handler returns, which is after the client had the whole body
    io.scaleblocks.testkit.Await.until("the late change to be saved", Duration.ofSeconds(5),
        () -> memory.find(id).orElseThrow().get(SessionAttribute.string("late")).isPresent());
  }

  @Test
  void aGarbledAttributeIsA500AndTheServerGoesOnServing() throws Exception {
    Session s = memory.create();
    s.set(SessionAttribute.of("count", SessionCodecs.bytes()), new byte[] {9});
    memory.save(s);
    assertEquals(500, raw(app.uri("/count"), "SBSESSION=" + s.id()).statusCode());
    assertEquals(200, raw(app.uri("/count"), null).statusCode());
  }

  @Test
  void sixtyFourConcurrentRequestsThroughTheFilterEachKeepTheirAttribute() throws Exception {
    HttpSessionFilterConcurrency.sixtyFourRequestsLoseNothing(memory, clock);
  }
}
