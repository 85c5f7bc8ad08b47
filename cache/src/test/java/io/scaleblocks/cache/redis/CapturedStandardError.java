package io.scaleblocks.cache.redis;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Copies what is written to {@code System.err} (where the tests' slf4j-simple logs) until closed,
 * still passing it on to the real stream.
 */
final class CapturedStandardError implements AutoCloseable {

  private final PrintStream original = System.err;
  private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

  CapturedStandardError() {
    OutputStream tee = new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (copy) {
          copy.write(b);
        }
        original.write(b);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) {
        synchronized (copy) {
          copy.write(bytes, offset, length);
        }
        original.write(bytes, offset, length);
      }
    };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  /** The lines written so far that contain {@code text}. */
  List<String> linesContaining(String text) {
    String all;
    synchronized (copy) {
      all = copy.toString(StandardCharsets.UTF_8);
    }
    return all.lines().filter(line -> line.contains(text)).toList();
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
