package io.scaleblocks.session.httpserver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionAttribute;
import io.scaleblocks.session.SessionStore;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The 64-request check through the JDK filter, run on every store. */
public final class HttpSessionFilterConcurrency {

  private HttpSessionFilterConcurrency() {}

  /** 64 concurrent requests on one session, each setting its own attribute: all 64 are there after. */
  public static void sixtyFourRequestsLoseNothing(SessionStore store, Clock clock) throws Exception {
    Session s = store.create();
    store.save(s);
    try (SessionWebApp app = new SessionWebApp(store, clock)) {
      HttpClient client = HttpClient.newBuilder().executor(java.util.concurrent.Executors.newFixedThreadPool(16))
          .connectTimeout(Duration.ofSeconds(5)).build();
      List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        HttpRequest request = HttpRequest.newBuilder(app.uri("/set?name=attr-" + i))
            .header("Cookie", "SBSESSION=" + s.id()).timeout(Duration.ofSeconds(60)).build();
        responses.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> r : responses) {
        assertEquals(200, r.get(60, TimeUnit.SECONDS).statusCode());
      }
    }
    Session after = store.find(s.id()).orElseThrow();
    for (int i = 0; i < 64; i++) {
      assertEquals(Optional.of("attr-" + i), after.get(SessionAttribute.string("attr-" + i)), "attr-" + i);
    }
  }
}
