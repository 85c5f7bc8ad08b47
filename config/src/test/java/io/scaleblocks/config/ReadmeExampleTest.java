package io.scaleblocks.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadmeExampleTest {

  @Test
  void readmeShowsTheCompiledExample() throws IOException {
    String source = Files.readString(Path.of("src/test/java/io/scaleblocks/config/ReadmeExample.java"));
    String region = source.substring(source.indexOf("// README-BEGIN\n") + "// README-BEGIN\n".length(),
        source.indexOf("    // README-END"));
    String readme = Files.readString(Path.of("README.md"));
    String block = readme.substring(readme.indexOf("```java\n") + "```java\n".length());
    block = block.substring(0, block.indexOf("```"));

    assertEquals(region.stripTrailing().stripIndent() + "\n", block);
  }

  @Test
  void exampleReadsRelaxedKeysAndRefusesTypos() {
    assertEquals(new ReadmeExample.Health(Duration.ofMillis(250), 5),
        ReadmeExample.health(Map.of("interval", "250ms", "unhealthyThreshold", "5")));
    IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
        () -> ReadmeExample.health(Map.of("intervl", "1s")));
    assertTrue(typo.getMessage().startsWith("health-check: unknown setting 'intervl'; known: ["), typo.getMessage());
  }
}
