package dev.shunt.backend.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (Debian's package) for tests: made in a temporary directory on a free
 * loopback port, once per JVM, and stopped when the JVM ends. Without PostgreSQL on the machine
 * a test is skipped, unless SHUNT_REQUIRE_POSTGRES=1 (CI), when it fails.
 */
public final class PostgresServer {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static PostgresServer running;

  private final Path bin;
  private final Path directory;
  private final int port;
  private final boolean root;
  private Process process;

  private PostgresServer(Path bin, Path directory, int port, boolean root) {
    this.bin = bin;
    this.directory = directory;
    this.port = port;
    this.root = root;
  }

  /** The server this JVM's tests share, started on first use. */
  public static synchronized PostgresServer get() throws Exception {
    if (running == null) {
      running = startOwn();
    }
    return running;
  }

  /** A server of the caller's own, which it may stop and start again ({@link #halt}, {@link #resume}). */
  public static PostgresServer startOwn() throws Exception {
    Path bin = binaries();
    boolean required = "1".equals(System.getenv("SHUNT_REQUIRE_POSTGRES"));
    if (bin == null && required) {
      throw new IllegalStateException("SHUNT_REQUIRE_POSTGRES=1 but no PostgreSQL under /usr/lib/postgresql");
    }
    assumeTrue(bin != null, "PostgreSQL is not installed (apt-get install postgresql)");
    PostgresServer server = start(bin);
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
    return server;
  }

  private static Path binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return null;
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.map(version -> version.resolve("bin"))
          .filter(bin -> Files.isExecutable(bin.resolve("initdb")))
          .max(Comparator.comparing(Path::toString)).orElse(null);
    }
  }

  private static PostgresServer start(Path bin) throws Exception {
    Path directory = Files.createTempDirectory("shunt-pg");
    Path data = directory.resolve("data");
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      // initdb refuses root: the cluster belongs to the postgres user the package made.
      run(List.of("chown", "postgres", directory.toString()));
    }
    run(asPostgres(root, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "shunt", "-A", "trust",
        "--no-sync", "-E", "UTF8"));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    PostgresServer server = new PostgresServer(bin, directory, port, root);
    server.resume();
    return server;
  }

  /** Starts the server (again, on its port, with its data), and waits until it takes connections. */
  public void resume() throws Exception {
    Path data = directory.resolve("data");
    process = new ProcessBuilder(asPostgres(root, bin.resolve("postgres").toString(), "-D", data.toString(),
        "-p", String.valueOf(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + directory,
        "-c", "max_connections=200", "-c", "fsync=off", "-c", "full_page_writes=off"))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
            directory.resolve("postgres.log").toFile())).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Connection ignored = DriverManager.getConnection(jdbc("postgres"), "shunt", "")) {
        return;
      } catch (java.sql.SQLException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          String log = Files.readString(directory.resolve("postgres.log"));
          stop();
          throw new IllegalStateException("PostgreSQL did not start: " + log, e);
        }
        Thread.sleep(100);
      }
    }
  }

  /** Stops the server (fast shutdown: connections are cut), keeping its data for {@link #resume}. */
  public void halt() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    try {
      // pg_ctl, not a signal to the process held here: under runuser that is runuser, not postgres.
      run(asPostgres(root, bin.resolve("pg_ctl").toString(), "stop", "-D", directory.resolve("data").toString(),
          "-m", "fast", "-w"));
    } catch (Exception e) {
      process.destroyForcibly();
    }
    process.waitFor(30, TimeUnit.SECONDS);
  }

  private static List<String> asPostgres(boolean root, String... command) {
    List<String> all = new ArrayList<>();
    if (root) {
      all.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    all.addAll(List.of(command));
    return all;
  }

  private static void run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }

  private String jdbc(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** A new, empty database of its own: its URL as {@code --store} takes it. */
  public String newDatabase() throws Exception {
    String name = "shunt_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    try (Connection connection = DriverManager.getConnection(jdbc("postgres"), "shunt", "");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    }
    return "postgresql://shunt@127.0.0.1:" + port + "/" + name;
  }

  /** A connection to a database made by {@link #newDatabase}, to look at what Shunt stored. */
  public Connection connect(String url) throws Exception {
    return DriverManager.getConnection(jdbc(url.substring(url.lastIndexOf('/') + 1)), "shunt", "");
  }

  public int port() {
    return port;
  }

  private void stop() {
    try {
      halt();
    } catch (InterruptedException e) {
      process.destroyForcibly();
    }
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory
    }
  }
}
