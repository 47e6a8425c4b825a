package dev.shunt.backend.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assertions;

/**
 * The real AWS CLI, run as its own process and changed in nothing but {@code --endpoint-url}.
 * Prefers {@code /usr/bin/aws} (Debian's CLI v2, what CI installs) over any {@code aws} on the
 * PATH; works with CLI v1 too (binary arguments always go as {@code fileb://}). Each run has a
 * clean environment: only the access key, secret and Region it is given, no config or
 * credentials file, no pager.
 */
final class AwsCli {
  static final String NO_CLI = "No AWS CLI: neither /usr/bin/aws nor aws on the PATH";
  private static final long TIMEOUT_SECONDS = 60;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String executable;
  private final Path dir;
  private final AtomicInteger invocations = new AtomicInteger();

  /** What one CLI run left behind. */
  record Run(int exitCode, String stdout, String stderr) {
    JsonNode json() throws IOException {
      return JSON.readTree(stdout);
    }
  }

  private AwsCli(String executable, Path dir) {
    this.executable = executable;
    this.dir = dir;
  }

  /**
   * The CLI, with {@code dir} for its home and output files; null when there is none (the caller
   * skips its tests), unless {@code SHUNT_REQUIRE_AWS_CLI=1}, which fails instead.
   */
  static AwsCli find(Path dir) {
    String executable = locate();
    if (executable == null) {
      if ("1".equals(System.getenv("SHUNT_REQUIRE_AWS_CLI"))) {
        Assertions.fail(NO_CLI + ", and SHUNT_REQUIRE_AWS_CLI=1");
      }
      return null;
    }
    return new AwsCli(executable, dir);
  }

  private static String locate() {
    if (Files.isExecutable(Path.of("/usr/bin/aws"))) {
      return "/usr/bin/aws";
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(File.pathSeparator)) {
        if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, "aws"))) {
          return Path.of(entry, "aws").toString();
        }
      }
    }
    return null;
  }

  String executable() {
    return executable;
  }

  /** How many times the CLI has been run. */
  int invocations() {
    return invocations.get();
  }

  /**
   * Runs {@code aws --endpoint-url ENDPOINT --output json ARGS} as {@code accessKeyId} (signing
   * with {@code secret}) in us-east-1, with a timeout.
   */
  Run run(URI endpoint, String accessKeyId, String secret, String... args) throws Exception {
    invocations.incrementAndGet();
    List<String> command = new ArrayList<>(List.of(executable, "--endpoint-url", endpoint.toString(), "--output",
        "json"));
    command.addAll(List.of(args));
    Path home = Files.createDirectories(dir.resolve("home"));
    Path out = Files.createTempFile(dir, "aws", ".out");
    Path err = Files.createTempFile(dir, "aws", ".err");
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(home.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    Map<String, String> env = builder.environment();
    String path = env.get("PATH");
    String pyenvRoot = env.get("PYENV_ROOT");
    env.clear();
    env.put("PATH", path == null ? "/usr/bin:/bin" : path);
    if (pyenvRoot != null) {
      env.put("PYENV_ROOT", pyenvRoot);
    }
    env.put("HOME", home.toString());
    env.put("LANG", "C.UTF-8");
    env.put("AWS_ACCESS_KEY_ID", accessKeyId);
    env.put("AWS_SECRET_ACCESS_KEY", secret);
    env.put("AWS_DEFAULT_REGION", "us-east-1");
    env.put("AWS_CONFIG_FILE", dir.resolve("no-such-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-such-credentials").toString());
    env.put("AWS_PAGER", "");
    Process process = builder.start();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      Assertions.fail("aws " + String.join(" ", args) + " did not finish in " + TIMEOUT_SECONDS + " s");
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
