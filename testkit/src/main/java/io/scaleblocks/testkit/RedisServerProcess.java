package io.scaleblocks.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away {@code redis-server} of a test's own on a free loopback port, so that a fault test
 * can kill it (SIGKILL), stop it (SIGSTOP) and start it again on the same port without touching the
 * servers {@code scripts/services} runs. No persistence; its directory is under {@code target/}.
 * Only the process it started is ever signalled. Each module takes its own port range, so that
 * modules tested at once never race for a port.
 */
public final class RedisServerProcess implements AutoCloseable {

  private final int port;
  private final Path dir;
  private Process process;

  private RedisServerProcess(int port) throws IOException {
    this.port = port;
    this.dir = Path.of("target", "redis-" + port).toAbsolutePath();
    Files.createDirectories(dir);
  }

  /** Starts one on the first free port from {@code firstPort} (inclusive) to {@code endPort} (exclusive). */
  public static RedisServerProcess start(int firstPort, int endPort) throws IOException {
    for (int port = firstPort; port < endPort; port++) {
      if (free(port)) {
        RedisServerProcess redis = new RedisServerProcess(port);
        redis.launch();
        return redis;
      }
    }
    throw new IllegalStateException("no free port in " + firstPort + "-" + (endPort - 1));
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Starts the server (again, after {@link #kill}) on its port and waits until it accepts
   * connections; without {@code redis-server} installed the test is aborted, or fails under CI.
   */
  public void launch() throws IOException {
    try {
      process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--dir", dir.toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    } catch (IOException e) {
      String message = "redis-server is not installed (" + e.getMessage() + "); run `scripts/services start`";
      if (RequireServer.isCi()) {
        Assertions.fail(message);
      }
      Assumptions.abort(message);
    }
    Await.until("redis-server on " + port + " to accept connections", Duration.ofSeconds(10), this::accepting);
  }

  private boolean accepting() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  /** SIGKILL, as a crashed or unplugged server (its data and script cache gone); returns once the port is closed. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted killing redis-server " + process.pid(), e);
    }
    Await.until("redis-server on " + port + " to go away", Duration.ofSeconds(10), () -> !accepting());
  }

  /** SIGSTOP: a server that holds its connections open and answers nothing. */
  public void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Kills the server if it runs (SIGKILL also ends a stopped one). */
  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      kill();
    }
  }
}
