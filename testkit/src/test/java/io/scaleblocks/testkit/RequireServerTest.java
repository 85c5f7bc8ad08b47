package io.scaleblocks.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class RequireServerTest {

  @Test
  void unreachableServerFailsUnderCiNamingTheAddressAndTheFix() throws IOException {
    InetSocketAddress closed = closedLoopbackPort();

    AssertionFailedError failure = assertThrows(AssertionFailedError.class,
        () -> RequireServer.reachable("Redis", closed, true));

    assertTrue(failure.getMessage().contains("Redis is not reachable at 127.0.0.1:" + closed.getPort()),
        failure.getMessage());
    assertTrue(failure.getMessage().contains("scripts/services start"), failure.getMessage());
  }

  @Test
  void unreachableServerSkipsOutsideCi() throws IOException {
    InetSocketAddress closed = closedLoopbackPort();

    TestAbortedException skipped = assertThrows(TestAbortedException.class,
        () -> RequireServer.reachable("PostgreSQL primary", closed, false));

    assertTrue(skipped.getMessage().contains("127.0.0.1:" + closed.getPort()), skipped.getMessage());
  }

  @Test
  void listeningServerPasses() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      RequireServer.reachable("test server",
          InetSocketAddress.createUnresolved("127.0.0.1", server.getLocalPort()), true);
    }
  }

  @Test
  void addressesAreParsedFromRedisAndJdbcUrls() {
    InetSocketAddress redis = ServerAddresses.addressOf("redis://127.0.0.1:16379");
    InetSocketAddress pg = ServerAddresses.addressOf("jdbc:postgresql://127.0.0.1:15433/scaleblocks");

    assertTrue(redis.getHostString().equals("127.0.0.1") && redis.getPort() == 16379, redis.toString());
    assertTrue(pg.getHostString().equals("127.0.0.1") && pg.getPort() == 15433, pg.toString());
  }

  /** A loopback port that nothing listens on: bound, then released. */
  private static InetSocketAddress closedLoopbackPort() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    return InetSocketAddress.createUnresolved("127.0.0.1", port);
  }
}
