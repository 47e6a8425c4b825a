package dev.shunt.benchmarks.load;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a benchmark's own (Debian's package): a new cluster in a temporary
 * directory on a free loopback port, trust auth for user {@code shunt}, fsync on (each commit
 * reaches the disk, as a user's server would have it); {@link #close} stops it and removes it.
 */
final class ThrowawayPostgres implements AutoCloseable {
  private final Path directory;
  private final int port;
  private final Process process;
  private final Thread stopOnExit;
  private long postmaster = -1;
  /** The CPU time last read of every server process seen: one that ended keeps counting what it used. */
  private final java.util.Map<Long, Long> cpuByProcess = new java.util.HashMap<>();

  private ThrowawayPostgres(Path directory, int port, Process process) {
    this.directory = directory;
    this.port = port;
    this.process = process;
    this.stopOnExit = new Thread(this::stop, "postgres-stop-on-exit");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
  }

  /** Makes and starts the server, waiting until it takes connections. */
  static ThrowawayPostgres start() throws Exception {
    Path bin = binaries();
    Path directory = Files.createTempDirectory("shunt-cluster-pg");
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
    Process process = new ProcessBuilder(asPostgres(root, bin.resolve("postgres").toString(), "-D", data.toString(),
        "-p", String.valueOf(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + directory,
        "-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "full_page_writes=on"))
        .redirectErrorStream(true).redirectOutput(directory.resolve("postgres.log").toFile()).start();
    ThrowawayPostgres server = new ThrowawayPostgres(directory, port, process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Connection ignored = server.connect("postgres")) {
        server.postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        return server;
      } catch (SQLException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          String log = Files.readString(directory.resolve("postgres.log"));
          server.close();
          throw new IllegalStateException("PostgreSQL did not start: " + log, e);
        }
        Thread.sleep(100);
      }
    }
  }

  private static Path binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        Optional<Path> bin = versions.map(version -> version.resolve("bin"))
            .filter(b -> Files.isExecutable(b.resolve("initdb"))).max(Comparator.comparing(Path::toString));
        if (bin.isPresent()) {
          return bin.get();
        }
      }
    }
    throw new IllegalStateException("No PostgreSQL under /usr/lib/postgresql (apt-get install postgresql), and no "
        + "--store URL of one to use");
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

  private Connection connect(String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, "shunt", "");
  }

  /** Makes a new, empty database and returns its URL as {@code --store} takes it. */
  String newDatabase(String name) throws SQLException {
    try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    }
    return "postgresql://shunt@127.0.0.1:" + port + "/" + name;
  }

  /**
   * The CPU time the server's processes have used so far: the postmaster and its children (a
   * backend per connection, the WAL writer, the checkpointer...), those that ended since counted
   * at what they had used when last seen, so that the sum never goes down.
   */
  synchronized long cpuNanos() {
    Optional<ProcessHandle> main = ProcessHandle.of(postmaster);
    if (main.isEmpty()) {
      return -1;
    }
    Stream.concat(Stream.of(main.get()), main.get().descendants()).forEach(p -> p.info().totalCpuDuration()
        .ifPresent(cpu -> cpuByProcess.merge(p.pid(), cpu.toNanos(), Math::max)));
    return cpuByProcess.values().stream().mapToLong(Long::longValue).sum();
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }

  /** A fast shutdown (SIGINT: sessions ended, no waiting for them), then the directory removed. */
  private synchronized void stop() {
    try {
      if (postmaster > 0 && process.isAlive()) {
        new ProcessBuilder("kill", "-INT", String.valueOf(postmaster)).start().waitFor(10, TimeUnit.SECONDS);
      }
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        ProcessHandle.of(postmaster).ifPresent(p -> {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
        });
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (IOException | InterruptedException e) {
      process.destroyForcibly();
    }
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // already gone
    }
  }
}
