package dev.shunt.backend.quota;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} (Debian's package) for tests: on a free loopback port, keeping
 * nothing on disk, which a test can stop and start again on the same port (a Redis that goes away
 * and comes back empty, as after a restart). When the binary is absent the calling test is skipped,
 * unless {@code SHUNT_REQUIRE_REDIS=1}, which fails it instead (CI sets it).
 */
public final class RedisServer implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/redis-server");

  private final int port;
  private final String password;
  private final Path directory;
  private Process process;

  private RedisServer(int port, String password, Path directory) {
    this.port = port;
    this.password = password;
    this.directory = directory;
  }

  /** Skips the test (or fails it under SHUNT_REQUIRE_REDIS=1) when there is no redis-server. */
  public static void assumePresent() {
    boolean present = Files.isExecutable(BINARY);
    if (!present && "1".equals(System.getenv("SHUNT_REQUIRE_REDIS"))) {
      Assertions.fail("No " + BINARY + " (Debian's redis-server), and SHUNT_REQUIRE_REDIS=1");
    }
    Assumptions.assumeTrue(present, "No redis-server: install Debian's redis-server");
  }

  /** A Redis without a password, started and answering. */
  public static RedisServer start() throws IOException {
    return start(null);
  }

  /** A Redis that requires {@code password} (null: none), started and answering. */
  public static RedisServer start(String password) throws IOException {
    assumePresent();
    int port;
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      port = socket.getLocalPort();
    }
    RedisServer server = new RedisServer(port, password, Files.createTempDirectory("shunt-redis-"));
    server.startAgain();
    return server;
  }

  public int port() {
    return port;
  }

  /** {@code redis://[:PASSWORD@]127.0.0.1:PORT/0}. */
  public String url() {
    return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port + "/0";
  }

  /** Starts the server (again, on the same port, empty) and waits until it answers. */
  public void startAgain() throws IOException {
    if (process != null && process.isAlive()) {
      return;
    }
    List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.toString(),
        "--daemonize", "no", "--logfile", "", "--loglevel", "warning"));
    if (password != null) {
      command.addAll(List.of("--requirepass", password));
    }
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(directory.resolve("redis.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!answers()) {
      if (!process.isAlive()) {
        throw new IOException("redis-server exited with " + process.exitValue() + ": "
            + Files.readString(directory.resolve("redis.log")));
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("redis-server does not answer on port " + port);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
  }

  /** Whether something answers PING on the port (an error for want of a password counts). */
  private boolean answers() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      int first = in.read();
      return first == '+' || first == '-';
    } catch (IOException e) {
      return false;
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as a Redis that hangs. */
  public void pause() throws IOException {
    signal("STOP");
  }

  /** Thaws a {@link #pause() paused} server (SIGCONT). */
  public void resume() throws IOException {
    signal("CONT");
  }

  private void signal(String name) throws IOException {
    try {
      int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
      if (exit != 0) {
        throw new IOException("kill -" + name + " exited with " + exit);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** Stops the server (SIGTERM) and waits for it to exit: the port refuses connections after. */
  public void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws IOException {
    stop();
    try (var files = Files.walk(directory)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }
}
