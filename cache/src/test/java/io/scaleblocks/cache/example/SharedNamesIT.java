package io.scaleblocks.cache.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scaleblocks.testkit.RequireServer;
import io.scaleblocks.testkit.ServerAddresses;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's Redis example runs against the test Redis. */
class SharedNamesIT {

  @Test
  void theRedisExampleReadsThroughTheSharedTier() {
    RequireServer.redis();
    var address = ServerAddresses.addressOf(ServerAddresses.redisUrl());
    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      SharedNames.main(new String[] {address.getHostString(), Integer.toString(address.getPort())});
    } finally {
      System.setOut(out);
    }
    assertEquals("Optional[Ada]", printed.toString(StandardCharsets.UTF_8).strip());
  }
}
