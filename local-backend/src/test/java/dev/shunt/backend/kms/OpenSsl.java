package dev.shunt.backend.kms;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the system's {@code openssl} (Debian's 3.0 in CI) in a working directory, for tests that
 * check Shunt's cryptography against an implementation it shares nothing with. Tests call
 * {@link #require()} first: without openssl they are skipped, not passed.
 */
public final class OpenSsl {
  private static final Path BINARY = Path.of("/usr/bin/openssl");
  private final Path directory;

  public OpenSsl(Path directory) {
    this.directory = directory;
  }

  public static void require() {
    assumeTrue(Files.isExecutable(BINARY), "openssl is not installed at " + BINARY);
  }

  /** The result of one run: its exit status and what it printed. */
  public record Run(int exitCode, String output) {
    public boolean succeeded() {
      return exitCode == 0;
    }
  }

  /** Runs {@code openssl args...} in the directory; never throws for a non-zero exit (see {@link Run}). */
  public Run run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(BINARY.toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("openssl " + String.join(" ", args) + " timed out");
    }
    return new Run(process.exitValue(), output);
  }

  /** Runs and fails the test with openssl's output when it exits non-zero. */
  public String check(String... args) throws IOException, InterruptedException {
    Run run = run(args);
    if (!run.succeeded()) {
      throw new AssertionError("openssl " + String.join(" ", args) + " failed (" + run.exitCode() + "):\n"
          + run.output());
    }
    return run.output();
  }

  public Path write(String name, byte[] content) throws IOException {
    return Files.write(directory.resolve(name), content);
  }

  public byte[] read(String name) throws IOException {
    return Files.readAllBytes(directory.resolve(name));
  }

  /** Writes a DER SubjectPublicKeyInfo and converts it to PEM with openssl ({@code name}.pem). */
  public String publicKeyPem(String name, byte[] spki) throws IOException, InterruptedException {
    write(name + ".der", spki);
    check("pkey", "-pubin", "-inform", "DER", "-in", name + ".der", "-out", name + ".pem");
    return name + ".pem";
  }
}
