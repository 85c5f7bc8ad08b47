package io.scaleblocks.session;

import com.sun.net.httpserver.HttpServer;
import io.scaleblocks.session.httpserver.HttpSessionFilter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The README's first example, compiled and run by {@link ReadmeExampleTest}. */
final class ReadmeExample {

  static HttpServer start() throws IOException {
    // README-BEGIN
    SessionStore store = SessionStores.inMemory()          // or RedisSessionStores, JdbcSessionStores
        .config(SessionStoreConfig.from(Map.of("idle-timeout", "30m", "absolute-timeout", "8h")))
        .build();
    HttpSessionFilter sessions = HttpSessionFilter.builder(store)
        .cookie(SessionCookieConfig.builder().secure(false).build())   // plain HTTP on loopback only
        .build();
    SessionAttribute<Long> visits = SessionAttribute.longValue("visits");
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      Session session = sessions.session(exchange);        // loaded on first use, or created
      long n = session.get(visits).orElse(0L) + 1;
      session.set(visits, n);                               // saved before the headers go out
      byte[] body = ("visit " + n).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    }).getFilters().add(sessions);
    server.start();
    // README-END
    return server;
  }

  private ReadmeExample() {}
}
