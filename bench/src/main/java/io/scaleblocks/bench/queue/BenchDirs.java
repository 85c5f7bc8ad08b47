package io.scaleblocks.bench.queue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Fresh directories on the same disk for every implementation, removed after each iteration. */
final class BenchDirs {

  private BenchDirs() {}

  static Path fresh(String name) {
    try {
      return Files.createTempDirectory(Path.of(System.getProperty("bench.queue.dir",
          System.getProperty("java.io.tmpdir"))), "queue-bench-" + name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] payload() {
    byte[] b = new byte[100];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    return b;
  }
}
