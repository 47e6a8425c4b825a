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

  private final Path directory;
  private final int port;
  private final Process process;

  private PostgresServer(Path directory, int port, Process process) {
    this.directory = directory;
    this.port = port;
    this.process = process;
  }

  /** The server this JVM's tests share, started on first use. */
  public static synchronized PostgresServer get() throws Exception {
    if (running == null) {
      Path bin = binaries();
      boolean required = "1".equals(System.getenv("SHUNT_REQUIRE_POSTGRES"));
      if (bin == null && required) {
        throw new IllegalStateException("SHUNT_REQUIRE_POSTGRES=1 but no PostgreSQL under /usr/lib/postgresql");
      }
      assumeTrue(bin != null, "PostgreSQL is not installed (apt-get install postgresql)");
      running = start(bin);
      Runtime.getRuntime().addShutdownHook(new Thread(running::stop));
    }
    return running;
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
      run(List.of("chown", "postgres", directory.toString()), null);
    }
    run(asPostgres(root, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "shunt", "-A", "trust",
        "--no-sync", "-E", "UTF8"), null);
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process process = new ProcessBuilder(asPostgres(root, bin.resolve("postgres").toString(), "-D", data.toString(),
        "-p", String.valueOf(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + directory,
        "-c", "max_connections=200", "-c", "fsync=off", "-c", "full_page_writes=off"))
        .redirectErrorStream(true).redirectOutput(directory.resolve("postgres.log").toFile()).start();
    PostgresServer server = new PostgresServer(directory, port, process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Connection ignored = DriverManager.getConnection(server.jdbc("postgres"), "shunt", "")) {
        return server;
      } catch (java.sql.SQLException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          server.stop();
          throw new IllegalStateException("PostgreSQL did not start: " + Files.readString(
              directory.resolve("postgres.log")), e);
        }
        Thread.sleep(100);
      }
    }
  }

  private static List<String> asPostgres(boolean root, String... command) {
    List<String> all = new ArrayList<>();
    if (root) {
      all.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    all.addAll(List.of(command));
    return all;
  }

  private static void run(List<String> command, Path log) throws Exception {
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
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
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
