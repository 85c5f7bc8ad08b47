package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadmeExampleTest {

  @Test
  void readmeShowsTheCompiledExample() throws IOException {
    String source = Files.readString(Path.of("src/test/java/io/scaleblocks/lb/ReadmeExample.java"));
    String region = source.substring(
        source.indexOf("// README-BEGIN\n") + "// README-BEGIN\n".length(),
        source.indexOf("    // README-END"));
    String readme = Files.readString(Path.of("README.md"));
    String block = readme.substring(readme.indexOf("```java\n") + "```java\n".length());
    block = block.substring(0, block.indexOf("```"));
    assertEquals(region.stripTrailing().stripIndent() + "\n", block);
  }

  @Test
  void theExampleFetchesAnOrderFromOneOfThreeServers() throws Exception {
    List<LocalHttpServer> servers = new ArrayList<>();
    try {
      List<URI> uris = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        servers.add(new LocalHttpServer("server" + i));
        uris.add(servers.get(i).uri());
      }
      String answer = ReadmeExample.fetchOrder(uris);
      assertTrue(answer.matches("200 server[0-2]"), answer);
      assertEquals(1, servers.stream().mapToLong(s -> s.served.get()).sum());
    } finally {
      servers.forEach(LocalHttpServer::stop);
    }
  }
}
