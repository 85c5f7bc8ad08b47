package io.scaleblocks.queue.redis;

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
 * A {@code redis-server} of the test's own on a free loopback port in 16600-16699, so that a test
 * can kill it (SIGKILL), stop it (SIGSTOP) and start it again on the same port without touching the
 * shared servers. No persistence; its directory is under {@code target/}. Only the process it
 * started is ever signalled.
 */
final class OwnRedis implements AutoCloseable {

  private final int port;
  private final Path dir;
  private Process process;

  private OwnRedis(int port) throws IOException {
    this.port = port;
    this.dir = Path.of("target", "own-redis-" + port).toAbsolutePath();
    Files.createDirectories(dir);
  }

  static OwnRedis start() throws IOException {
    for (int port = 16600; port < 16700; port++) {
      if (free(port)) {
        OwnRedis redis = new OwnRedis(port);
        redis.launch();
        return redis;
      }
    }
    throw new IllegalStateException("no free port in 16600-16699");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Starts the server (again) on its port. */
  void launch() throws IOException {
    try {
      process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind",
          "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    } catch (IOException e) {
      String message = "redis-server is not installed (" + e.getMessage() + ")";
      if (RequireServer.isCi()) {
        Assertions.fail(message);
      }
      Assumptions.abort(message);
    }
    Await.until("redis-server on " + port + " to accept connections", Duration.ofSeconds(10),
        this::accepting);
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

  /** SIGKILL: a crashed server, its data and script cache gone. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted killing redis-server " + process.pid(), e);
    }
  }

  /** SIGSTOP: a server that holds its connections open and answers nothing. */
  void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
        .inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  @Override
  public void close() throws IOException {
    if (process != null && process.isAlive()) {
      kill(); // SIGKILL ends a stopped process too
    }
  }
}
