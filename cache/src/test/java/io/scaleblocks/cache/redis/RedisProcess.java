package io.scaleblocks.cache.redis;

import io.scaleblocks.testkit.Await;
import io.scaleblocks.testkit.RequireServer;
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
 * A throw-away {@code redis-server} of this test's own on a free loopback port in 16400-16499,
 * so fault tests can kill it with SIGKILL without touching the shared servers. No persistence;
 * its directory is under {@code target/}. Only the process it started is ever killed.
 */
final class RedisProcess implements AutoCloseable {

  private final int port;
  private final Path dir;
  private Process process;

  private RedisProcess(int port) throws IOException {
    this.port = port;
    this.dir = Path.of("target", "redis-" + port).toAbsolutePath();
    Files.createDirectories(dir);
  }

  static RedisProcess start() throws IOException {
    for (int port = 16400; port < 16500; port++) {
      if (free(port)) {
        RedisProcess redis = new RedisProcess(port);
        redis.launch();
        return redis;
      }
    }
    throw new IllegalStateException("no free port in 16400-16499");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  void launch() throws IOException {
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

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL, as a crashed or unplugged cache node. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted killing redis-server " + process.pid(), e);
    }
    Await.until("redis-server on " + port + " to go away", Duration.ofSeconds(10), () -> !accepting());
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      kill();
    }
  }
}
