package io.scaleblocks.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The README's two examples are the compiled sources, so they cannot drift; the local one runs here. */
class ReadmeExampleTest {

  static String region(String file) throws IOException {
    String source = Files.readString(Path.of(file));
    String region = source.substring(source.indexOf("// README-BEGIN\n") + "// README-BEGIN\n".length(),
        source.indexOf("// README-END"));
    return region.stripTrailing().stripIndent() + "\n";
  }

  /** The {@code n}-th (from 0) ```java block of the module README. */
  static String readmeBlock(int n) throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int at = -1;
    for (int i = 0; i <= n; i++) {
      at = readme.indexOf("```java\n", at + 1);
    }
    String block = readme.substring(at + "```java\n".length());
    return block.substring(0, block.indexOf("```"));
  }

  @Test
  void theReadmeStartsWithTheCompiledLocalExample() throws IOException {
    assertEquals(region("src/test/java/io/scaleblocks/cache/ReadmeExample.java"), readmeBlock(0));
  }

  @Test
  void theReadmesSecondExampleIsTheCompiledRedisOne() throws IOException {
    assertEquals(region("src/test/java/io/scaleblocks/cache/example/SharedNames.java"), readmeBlock(1));
  }

  @Test
  void theLocalExampleRuns() {
    assertEquals(Optional.of("Ada"), ReadmeExample.run(Map.of(42L, "Ada")));
  }
}
