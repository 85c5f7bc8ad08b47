package io.scaleblocks.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadmeExampleTest {

  @TempDir Path dir;

  @Test
  void readmeShowsTheCompiledExample() throws IOException {
    String source = Files.readString(Path.of("src/test/java/io/scaleblocks/queue/ReadmeExample.java"));
    String region = source.substring(source.indexOf("// README-BEGIN\n") + "// README-BEGIN\n".length(),
        source.indexOf("    // README-END"));
    String readme = Files.readString(Path.of("README.md"));
    String block = readme.substring(readme.indexOf("```java\n") + "```java\n".length());
    block = block.substring(0, block.indexOf("```"));
    assertEquals(region.stripTrailing().stripIndent() + "\n", block);
  }

  @Test
  void theExampleHandlesThePhotoAndLeavesNothingBehind() throws Exception {
    List<String> resized = new CopyOnWriteArrayList<>();
    ReadmeExample.resize(dir, resized);
    assertEquals(List.of("resize:42"), resized);
    try (MessageQueue q = MessageQueues.open(dir, QueueConfig.defaults())) {
      assertEquals(0, q.lag("photos", "thumbnails"), "acknowledged durably before the close");
    }
  }
}
