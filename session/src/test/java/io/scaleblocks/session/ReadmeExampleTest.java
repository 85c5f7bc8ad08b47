package io.scaleblocks.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.scaleblocks.session.httpserver.SessionWebApp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ReadmeExampleTest {

  @Test
  void readmeShowsTheCompiledExample() throws IOException {
    String source = Files.readString(Path.of("src/test/java/io/scaleblocks/session/ReadmeExample.java"));
    String region = source.substring(source.indexOf("// README-BEGIN\n") + "// README-BEGIN\n".length(),
        source.indexOf("    // README-END"));
    String readme = Files.readString(Path.of("README.md"));
    String block = readme.substring(readme.indexOf("```java\n") + "```java\n".length());
    block = block.substring(0, block.indexOf("```"));
    assertEquals(region.stripTrailing().stripIndent() + "\n", block);
  }

  @Test
  void theExampleCountsVisitsInTheSession() throws IOException {
    HttpServer server = ReadmeExample.start();
    try {
      HttpClient browser = SessionWebApp.browser();
      URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
      assertEquals("visit 1", SessionWebApp.get(browser, uri).body());
      assertEquals("visit 2", SessionWebApp.get(browser, uri).body());
      assertEquals("visit 1", SessionWebApp.get(SessionWebApp.browser(), uri).body(), "another browser");
    } finally {
      server.stop(0);
    }
  }
}
