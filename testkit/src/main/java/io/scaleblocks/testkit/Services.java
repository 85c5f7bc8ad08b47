package io.scaleblocks.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real fault injection through {@code scripts/services}, the one place that knows how the test
 * servers run: stop a server's process, start it again, promote a replica.
 *
 * <p>Every call blocks until the script returns and fails with the script's output when it exits
 * non-zero. A test that stops a server must start it again in a {@code finally} or
 * {@code @AfterEach}, so later tests find the servers as {@code scripts/services start} left them.
 */
public final class Services {

  private static final long TIMEOUT_SECONDS = 120;

  private Services() {}

  /** Stops one server: {@code redis}, {@code cluster}, {@code pg-primary}, {@code pg-replica1}, {@code pg-replica2}. */
  public static void stop(String server) {
    run("stop", server);
  }

  /** Starts one server again (a no-op when it is running). */
  public static void start(String server) {
    run("start", server);
  }

  /**
   * What {@code scripts/services status} says: one line per server with its role (a replica's lag
   * in bytes), and whether every server is up.
   */
  public record Status(boolean allUp, String report) {}

  /** Runs {@code scripts/services status}. */
  public static Status status() {
    Result result = execute("status");
    return new Status(result.exitCode() == 0, result.output());
  }

  /** Runs {@code scripts/services <args>} and returns what it printed. */
  public static String run(String... args) {
    Result result = execute(args);
    if (result.exitCode() != 0) {
      throw new IllegalStateException("scripts/services " + String.join(" ", args) + " exited "
          + result.exitCode() + ":\n" + result.output());
    }
    return result.output();
  }

  private record Result(int exitCode, String output) {}

  private static Result execute(String... args) {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(script().toString());
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output;
      try (var in = process.getInputStream()) {
        output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " timed out");
      }
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  /** {@code scripts/services}, found by walking up from the working directory. */
  static Path script() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("scripts").resolve("services");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "scripts/services not found above " + Path.of("").toAbsolutePath());
  }
}
