/**
 * Sessions outside the web server: the {@code SessionStore} SPI with in-memory, Redis and JDBC
 * stores, filters for the JDK {@code HttpServer} and for Jakarta Servlet, and Micrometer meters.
 */
module io.scaleblocks.session {
  requires io.scaleblocks.config;
  requires org.slf4j;
  requires transitive java.sql;
  requires static jdk.httpserver;
  requires static redis.clients.jedis;
  requires static micrometer.core;
  requires static jakarta.servlet;

  exports io.scaleblocks.session;
  exports io.scaleblocks.session.redis;
  exports io.scaleblocks.session.jdbc;
  exports io.scaleblocks.session.httpserver;
  exports io.scaleblocks.session.servlet;
  exports io.scaleblocks.session.micrometer;
}
