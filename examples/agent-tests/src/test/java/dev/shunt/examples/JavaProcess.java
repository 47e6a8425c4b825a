package dev.shunt.examples;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A JVM started as its own process, as a user starts an application: the java binary of a
 * chosen JDK, JVM options, a jar or main class, and an environment with nothing of this test
 * JVM's (no AWS settings, an empty home directory), unless a test adds some.
 */
final class JavaProcess {
  static final Path JAVA_17 = Path.of(System.getProperty("java.home"), "bin", "java");
  static final Path JAVA_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
  static final Path AGENT = Path.of(System.getProperty("shunt.agent.jar", "../../agent/target/shunt-agent.jar"));
  static final Path INTERCEPTORS = Path.of(System.getProperty("shunt.interceptors.jar", "missing"));
  static final Path EXAMPLES = Path.of(System.getProperty("shunt.examples.dir", ".."));
  static final Path OTEL_AGENT = Path.of(System.getProperty("shunt.otel.agent.jar", "missing"));

  /** What a finished process left: exit code, stdout lines, stderr text. */
  record Result(int exitCode, List<String> stdout, String stderr) {
    String describe() {
      return "exit " + exitCode + "\n--- stdout\n" + String.join("\n", stdout) + "\n--- stderr\n" + stderr;
    }
  }

  private final Path java;
  private final List<String> arguments = new ArrayList<>();
  private final Map<String, String> environment = new LinkedHashMap<>();
  private final Map<String, String> homeFiles = new LinkedHashMap<>();

  JavaProcess(Path java) {
    this.java = java;
  }

  static Path example(String name) {
    return EXAMPLES.resolve(name).resolve("target").resolve(name + ".jar");
  }

  /** Skips (or, with SHUNT_REQUIRE_JAVA25=1, fails) when Temurin 25 is not installed. */
  static Path java25() {
    if (!Files.isExecutable(JAVA_25)) {
      if ("1".equals(System.getenv("SHUNT_REQUIRE_JAVA25"))) {
        throw new AssertionError("Java 25 is required at " + JAVA_25);
      }
      Assumptions.abort("No Java 25 at " + JAVA_25);
    }
    return JAVA_25;
  }

  JavaProcess args(String... more) {
    arguments.addAll(List.of(more));
    return this;
  }

  JavaProcess env(String name, String value) {
    environment.put(name, value);
    return this;
  }

  /** A file the process finds in its (otherwise empty) home directory, such as {@code .aws/config}. */
  JavaProcess homeFile(String relativePath, String content) {
    homeFiles.put(relativePath, content);
    return this;
  }

  /** Runs to completion (or fails the test after {@code timeoutSeconds}). */
  Result run(int timeoutSeconds) throws Exception {
    Process process = start();
    process.getOutputStream().close();
    return finish(process, timeoutSeconds);
  }

  Process start() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command);
    Path home = Files.createTempDirectory("shunt-app-home");
    for (Map.Entry<String, String> file : homeFiles.entrySet()) {
      Path path = home.resolve(file.getKey());
      Files.createDirectories(path.getParent());
      Files.writeString(path, file.getValue());
    }
    Map<String, String> env = builder.environment();
    env.clear();
    env.put("PATH", "/usr/bin:/bin");
    env.put("HOME", home.toString());
    env.putAll(environment);
    builder.directory(home.toFile());
    return builder.start();
  }

  static Result finish(Process process, int timeoutSeconds) throws Exception {
    CompletableFuture<List<String>> stdout = CompletableFuture.supplyAsync(() -> lines(process));
    CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> text(process));
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("Process did not finish in " + timeoutSeconds + " s: " + stdout.getNow(List.of()));
    }
    return new Result(process.exitValue(), stdout.get(10, TimeUnit.SECONDS), stderr.get(10, TimeUnit.SECONDS));
  }

  static void writeLine(Process process, String line) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  private static List<String> lines(Process process) {
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        synchronized (lines) {
          lines.add(line);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    return lines;
  }

  private static String text(Process process) {
    try {
      return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  static String classPath(Path... jars) {
    List<String> paths = new ArrayList<>();
    for (Path jar : jars) {
      paths.add(jar.toAbsolutePath().toString());
    }
    return String.join(File.pathSeparator, paths);
  }
}
