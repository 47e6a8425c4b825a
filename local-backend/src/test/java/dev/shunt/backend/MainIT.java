package dev.shunt.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shunt.backend.config.ShuntOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real command line ({@code Main}) in a JVM of its own, as a user starts it: the line it
 * prints, the admin endpoints it serves, its errors and exit codes, and where options come from.
 */
class MainIT {
  private static final Pattern LISTENING = Pattern.compile("Shunt listening on http://127\\.0\\.0\\.1:(\\d{1,5})");
  private static final long TIMEOUT_SECONDS = 30;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @TempDir
  static Path dir;
  /** One plain {@code serve --port 0}, shared by the admin endpoint tests. */
  private static Shunt shared;

  /** A {@code java dev.shunt.backend.Main ...} child process, its output read as it comes. */
  static final class Shunt implements AutoCloseable {
    final Process process;
    final BlockingQueue<String> stdoutLines = new LinkedBlockingQueue<>();
    final StringBuffer stdout = new StringBuffer();
    final StringBuffer stderr = new StringBuffer();
    private final List<Thread> readers = new ArrayList<>();
    URI uri;

    /** {@code java JVM_OPTIONS -cp (this class path) dev.shunt.backend.Main ARGS}. */
    static Shunt launch(List<String> jvmOptions, Map<String, String> env, String... args) throws IOException {
      return command(launcher(jvmOptions, "-cp", System.getProperty("java.class.path"), Main.class.getName()),
          env, args);
    }

    /** {@code LAUNCHER ARGS}, e.g. {@code java -jar shunt-backend.jar serve}. */
    static Shunt command(List<String> launcher, Map<String, String> env, String... args) throws IOException {
      List<String> command = new ArrayList<>(launcher);
      command.addAll(List.of(args));
      return new Shunt(command, env);
    }

    private Shunt(List<String> command, Map<String, String> env) throws IOException {
      ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE);
      // Only the options this test gives: none of the SHUNT_* variables of whoever runs the build.
      builder.environment().keySet().removeIf(name -> name.startsWith("SHUNT_"));
      // Memory only unless a test asks for a data directory: serve's default (~/.shunt/data) is shared.
      if (command.stream().noneMatch(arg -> arg.equals("--data-dir") || arg.startsWith("-Duser.home="))) {
        builder.environment().put("SHUNT_IN_MEMORY", "true");
      }
      builder.environment().putAll(env);
      process = builder.start();
      process.getOutputStream().close();
      readers.add(reader(process.getInputStream(), stdout, stdoutLines));
      readers.add(reader(process.getErrorStream(), stderr, null));
    }

    static List<String> launcher(List<String> jvmOptions, String... rest) {
      List<String> launcher = new ArrayList<>();
      launcher.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      launcher.addAll(jvmOptions);
      launcher.addAll(List.of(rest));
      return launcher;
    }

    private static Thread reader(InputStream stream, StringBuffer all, BlockingQueue<String> lines) {
      Thread thread = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            all.append(line).append('\n');
            if (lines != null) {
              lines.add(line);
            }
          }
        } catch (IOException e) {
          all.append("[read failed: ").append(e).append("]\n");
        }
      }, "main-it-reader");
      thread.setDaemon(true);
      thread.start();
      return thread;
    }

    /** Waits for the first line on stdout, asserts it is the listening line, and returns the URL. */
    Shunt awaitListening() throws Exception {
      try {
        String line = stdoutLines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(line).as("no line on stdout in %d s; stderr:%n%s", TIMEOUT_SECONDS, stderr).isNotNull();
        Matcher matcher = LISTENING.matcher(line);
        assertThat(matcher.matches()).as("first stdout line '%s'; stderr:%n%s", line, stderr).isTrue();
        int port = Integer.parseInt(matcher.group(1));
        assertThat(port).isBetween(1, 65535);
        uri = URI.create("http://127.0.0.1:" + port);
        return this;
      } catch (Exception | AssertionError e) {
        close();
        throw e;
      }
    }

    /** Kills the process as {@code kill -9} does: no shutdown hook runs. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Waits for the process to end by itself and returns its exit code (all its output read). */
    int awaitExit() throws Exception {
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        Assertions.fail("process still running after " + TIMEOUT_SECONDS + " s; stdout:\n" + stdout
            + "\nstderr:\n" + stderr);
      }
      for (Thread reader : readers) {
        reader.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
      }
      return process.exitValue();
    }

    HttpResponse<String> get(String path) throws Exception {
      return send(HttpRequest.newBuilder(uri.resolve(path)).GET());
    }

    HttpResponse<String> post(String path, String body) throws Exception {
      return send(HttpRequest.newBuilder(uri.resolve(path)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A KMS call with no signature (TRUST mode reads the scope if there is one). */
    HttpResponse<String> kms(String operation, String body) throws Exception {
      return send(HttpRequest.newBuilder(uri.resolve("/"))
          .header("Content-Type", "application/x-amz-json-1.1")
          .header("X-Amz-Target", "TrentService." + operation)
          .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
      return HTTP.send(request.timeout(Duration.ofSeconds(TIMEOUT_SECONDS)).build(),
          HttpResponse.BodyHandlers.ofString());
    }

    JsonNode health() throws Exception {
      HttpResponse<String> health = get("/_shunt/health");
      assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
      return JSON.readTree(health.body());
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static Shunt serve(String... args) throws Exception {
    return serve(List.of(), Map.of(), args);
  }

  private static Shunt serve(List<String> jvmOptions, Map<String, String> env, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("serve"));
    all.addAll(List.of(args));
    return Shunt.launch(jvmOptions, env, all.toArray(String[]::new)).awaitListening();
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  @BeforeAll
  static void startShared() throws Exception {
    shared = serve("--port", "0");
  }

  @AfterAll
  static void stopShared() throws Exception {
    if (shared != null) {
      shared.close();
    }
  }

  @Test
  void healthReportsOkTheAuthModeAndTheServices() throws Exception {
    HttpResponse<String> response = shared.get("/_shunt/health");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode health = json(response);
    assertThat(health.get("status").asText()).isEqualTo("ok");
    assertThat(health.get("auth").asText()).isEqualTo("trust");
    assertThat(health.get("version").asText()).isNotBlank();
    assertThat(health.get("services")).extracting(JsonNode::asText).contains("KMS");
  }

  @Test
  void resetWipesKeysAndTheClock() throws Exception {
    HttpResponse<String> created = shared.kms("CreateKey", "{}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    String keyId = json(created).at("/KeyMetadata/KeyId").asText();
    assertThat(shared.kms("DescribeKey", "{\"KeyId\":\"" + keyId + "\"}").statusCode()).isEqualTo(200);
    assertThat(shared.post("/_shunt/clock", "{\"advanceSeconds\": 3600}").statusCode()).isEqualTo(200);

    HttpResponse<String> reset = shared.post("/_shunt/reset", "");
    assertThat(reset.statusCode()).as(reset.body()).isEqualTo(200);
    assertThat(json(reset).get("status").asText()).isEqualTo("reset");

    HttpResponse<String> described = shared.kms("DescribeKey", "{\"KeyId\":\"" + keyId + "\"}");
    assertThat(described.statusCode()).isEqualTo(400);
    assertThat(json(described).get("__type").asText()).isEqualTo("NotFoundException");
    assertThat(json(shared.get("/_shunt/clock")).get("offsetSeconds").asDouble()).isZero();
  }

  @Test
  void advancingTheClockMovesItsTimeByThatMuch() throws Exception {
    assertThat(shared.post("/_shunt/clock", "{\"reset\": true}").statusCode()).isEqualTo(200);
    HttpResponse<String> before = shared.get("/_shunt/clock");
    assertThat(before.statusCode()).isEqualTo(200);
    double start = json(before).get("epochSeconds").asDouble();
    assertThat(json(before).get("offsetSeconds").asDouble()).isZero();

    HttpResponse<String> advanced = shared.post("/_shunt/clock", "{\"advanceSeconds\": 86400}");
    assertThat(advanced.statusCode()).as(advanced.body()).isEqualTo(200);
    assertThat(json(advanced).get("offsetSeconds").asDouble()).isEqualTo(86400.0);

    double after = json(shared.get("/_shunt/clock")).get("epochSeconds").asDouble();
    // A day on, plus however long the calls in between took (bounded only to catch a wrong unit).
    assertThat(after - start).isGreaterThanOrEqualTo(86400.0).isLessThan(86400.0 + 3600);

    HttpResponse<String> set = shared.post("/_shunt/clock", "{\"epochSeconds\": 2000000000}");
    assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
    assertThat(json(shared.get("/_shunt/clock")).get("epochSeconds").asDouble())
        .isGreaterThanOrEqualTo(2_000_000_000.0).isLessThan(2_000_000_000.0 + 3600);

    HttpResponse<String> reset = shared.post("/_shunt/clock", "{\"reset\": true}");
    assertThat(json(reset).get("offsetSeconds").asDouble()).isZero();
  }

  @Test
  void badClockBodiesGetAnErrorEnvelopeAndLeaveTheClockAlone() throws Exception {
    assertThat(shared.post("/_shunt/clock", "{\"reset\": true}").statusCode()).isEqualTo(200);
    Map<String, String> bodies = Map.of(
        "not json", "SerializationException",
        "", "SerializationException",
        "[86400]", "SerializationException",
        "86400", "SerializationException",
        "{}", "ValidationException",
        "{\"advanceSeconds\": \"86400\"}", "ValidationException",
        "{\"epochSeconds\": null}", "ValidationException",
        "{\"reset\": false}", "ValidationException",
        "{\"advanceSeconds\": 1e300}", "ValidationException",
        "{\"epochSeconds\": -1e300}", "ValidationException");
    for (Map.Entry<String, String> bad : bodies.entrySet()) {
      HttpResponse<String> response = shared.post("/_shunt/clock", bad.getKey());
      assertThat(response.statusCode()).as("%s -> %s", bad.getKey(), response.body()).isBetween(400, 499);
      assertThat(response.headers().firstValue("x-amzn-RequestId")).isPresent();
      JsonNode error = json(response);
      assertThat(error.get("__type").asText()).as(bad.getKey()).isEqualTo(bad.getValue());
      assertThat(error.get("message").asText()).as(bad.getKey()).isNotBlank();
    }
    assertThat(json(shared.get("/_shunt/clock")).get("offsetSeconds").asDouble()).isZero();

    HttpResponse<String> unknown = shared.get("/_shunt/nothing-here");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).get("__type").asText()).isEqualTo("ResourceNotFoundException");
  }

  @Test
  void sigv4FromTheCommandLineIsEnforcedAndTheProcessStopsWhenSignalled() throws Exception {
    Shunt shunt = serve("--port", "0", "--host", "127.0.0.1", "--auth", "sigv4");
    try {
      assertThat(shunt.health().get("auth").asText()).isEqualTo("sigv4");
      HttpResponse<String> unsigned = shunt.kms("ListKeys", "{}");
      assertThat(unsigned.statusCode()).isBetween(400, 499);
      assertThat(json(unsigned).get("__type").asText()).isEqualTo("MissingAuthenticationTokenException");
    } finally {
      shunt.process.destroy();
    }
    shunt.awaitExit();
    assertThat(shunt.stderr.toString()).doesNotContain("Exception");
  }

  @Test
  void optionsComeFromTheCommandLineThenPropertiesThenEnvironmentThenFile() throws Exception {
    // Neighbours disagree, so each start shows the highest source still given, and nothing else.
    Path config = Files.writeString(dir.resolve("shunt.yaml"), "auth: sigv4\n");
    String[][] expectations = {
        // command line auth, system property, environment, expected
        {"trust", "sigv4", "trust", "trust"},
        {null, "sigv4", "trust", "sigv4"},
        {null, null, "trust", "trust"},
        {null, null, null, "sigv4"},
    };
    for (String[] given : expectations) {
      List<String> args = new ArrayList<>(List.of("--port", "0", "--config", config.toString()));
      if (given[0] != null) {
        args.addAll(List.of("--auth", given[0]));
      }
      List<String> jvm = given[1] == null ? List.of() : List.of("-Dshunt.auth=" + given[1]);
      Map<String, String> env = given[2] == null ? Map.of() : Map.of("SHUNT_AUTH", given[2]);
      try (Shunt shunt = serve(jvm, env, args.toArray(String[]::new))) {
        assertThat(shunt.health().get("auth").asText())
            .as("--auth %s, -Dshunt.auth=%s, SHUNT_AUTH=%s, file auth: sigv4", (Object[]) given)
            .isEqualTo(given[3]);
      }
    }
  }

  @Test
  void anOptionValueItCannotUseExitsWithTwoAndSaysWhy() throws Exception {
    Map<List<String>, String> refused = Map.of(
        List.of("--default-region", "local"), "default-region must be an AWS Region such as us-east-1, or one named in "
            + "extra-regions, not 'local'",
        List.of("--extra-regions", "xx-lab-1,Lab"), "extra-regions entries must be Region names such as xx-east-1, "
            + "not 'Lab'",
        List.of("--max-accounts", "0"), "max-accounts must be between 1 and 100000, not 0",
        List.of("--audit-log-max-bytes", "lots"), "audit-log-max-bytes must be a whole number, not 'lots'",
        List.of("--threads", "9999999999"), "threads is too large: 9999999999",
        List.of("--root-key", "not base64!"), "root-key is not base64",
        List.of("--root-key", "c2hvcnQ="), "root-key must be 32 bytes (base64), not 5",
        List.of("--root-key", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "--root-key-file", "k"),
        "root-key and root-key-file both give the root key");
    for (Map.Entry<List<String>, String> option : refused.entrySet()) {
      List<String> args = new ArrayList<>(List.of("serve", "--port", "0"));
      args.addAll(option.getKey());
      Shunt shunt = Shunt.launch(List.of(), Map.of(), args.toArray(String[]::new));
      assertThat(shunt.awaitExit()).as(option.getKey().toString()).isEqualTo(2);
      assertThat(shunt.stderr.toString()).contains(option.getValue()).doesNotContain("Exception");
    }
  }

  @Test
  void anOptionThatWouldChangeNothingOrIsGivenTwiceExitsWithTwo() throws Exception {
    Map<List<String>, String> refused = Map.of(
        List.of("--in-memory", "--data-dir", "state"), "in-memory keeps nothing, and data-dir keeps state",
        List.of("--durability", "sometimes"), "durability must be full or process, not 'sometimes'",
        List.of("--in-memory", "perhaps"), "in-memory must be true or false",
        List.of("--audit-log-files", "3"), "audit-log-max-bytes and audit-log-files need an audit-log file",
        List.of("--quotas", "off", "--quota-scale", "0.5"), "quota-scale has no effect with quotas off",
        List.of("--port", "1", "--port", "2"), "--port is given twice",
        List.of("--port", "70000"), "port must be 0 to 65535",
        List.of("--admin-token", "short"), "admin-token must be 16 to 256 visible ASCII characters",
        List.of("--allowed-hosts", "ok.example,bad host"), "allowed-hosts takes host names or addresses",
        List.of("--rotation-callbacks", "steal=http://192.0.2.10/rotate"), "rotation-callbacks: steal: Callbacks go "
            + "to this machine only");
    for (Map.Entry<List<String>, String> option : refused.entrySet()) {
      List<String> args = new ArrayList<>(List.of("serve"));
      args.addAll(option.getKey());
      if (!option.getKey().contains("--port")) {
        args.addAll(List.of("--port", "0"));
      }
      Shunt shunt = Shunt.launch(List.of(), Map.of(), args.toArray(String[]::new));
      assertThat(shunt.awaitExit()).as(option.getKey().toString()).isEqualTo(2);
      assertThat(shunt.stderr.toString()).as(option.getKey().toString()).contains(option.getValue())
          .doesNotContain("Exception");
    }
  }

  @Test
  void cacheAndUpstreamOptionsAreCheckedAtStartAndTheBannerSaysWhatIsForwarded() throws Exception {
    Map<List<String>, String> refused = Map.of(
        List.of("--data-key-cache", "sometimes"), "data-key-cache must be on or off, not 'sometimes'",
        List.of("--secret-cache-ttl", "-5s"), "secret-cache-ttl takes a time such as 300, 30s, 500ms or 5m",
        List.of("--upstream", "kms=ftp://example.com"), "upstream: ",
        List.of("--upstream-max-attempts", "0"), "upstream-max-attempts must be 1 to 10");
    for (Map.Entry<List<String>, String> option : refused.entrySet()) {
      List<String> args = new ArrayList<>(List.of("serve", "--port", "0"));
      args.addAll(option.getKey());
      Shunt shunt = Shunt.launch(List.of(), Map.of(), args.toArray(String[]::new));
      assertThat(shunt.awaitExit()).as(option.getKey().toString()).isEqualTo(2);
      assertThat(shunt.stderr.toString()).as(option.getKey().toString()).contains(option.getValue())
          .doesNotContain("Exception");
    }
    Shunt proxy = serve("--port", "0", "--in-memory", "--upstream", "kms=aws", "--data-key-cache", "on");
    try {
      assertThat(proxy.stdoutLines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS)).startsWith("Shunt state: memory only");
      assertThat(proxy.stdoutLines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS))
          .isEqualTo("Shunt forwards to its upstream: kms=https://{service}.{region}.amazonaws.com (signed with this "
              + "machine's AWS credentials)");
      assertThat(json(proxy.get("/_shunt/health")).get("upstream").asText()).startsWith("kms=");
    } finally {
      proxy.close();
    }
  }

  @Test
  void aConfigFileKeyItDoesNotKnowOrCannotUseExitsWithTwo() throws Exception {
    Map<String, String> refused = Map.of(
        "prot: 4566\n", "unknown key 'prot'",
        "port: [1, 2]\n", "port takes a single value",
        "config: other.yaml\n", "unknown key 'config'",
        "seed: missing.yaml\n", "seed file missing.yaml cannot be read");
    int n = 0;
    for (Map.Entry<String, String> file : refused.entrySet()) {
      Path config = Files.writeString(dir.resolve("refused-" + n++ + ".yaml"), file.getKey());
      Shunt shunt = Shunt.launch(List.of(), Map.of(), "serve", "--port", "0", "--config", config.toString());
      assertThat(shunt.awaitExit()).as(file.getKey()).isEqualTo(2);
      assertThat(shunt.stderr.toString()).as(file.getKey()).contains(file.getValue());
    }
    // Environment variables are shared with other tools: a name Shunt does not know is not an error.
    try (Shunt lenient = serve(List.of("-Dshunt.not-an-option=1"), Map.of("SHUNT_NOT_AN_OPTION", "1"),
        "--port", "0")) {
      assertThat(lenient.health().get("status").asText()).isEqualTo("ok");
    }
  }

  @Test
  void bindingBeyondLoopbackNeedsCheckedSignaturesAndOwnCredentials() throws Exception {
    for (List<String> unsafe : List.<List<String>>of(List.of(), List.of("--auth", "sigv4"), List.of("--auth", "trust",
        "--credentials", "AKIDME:long-secret"))) {
      List<String> args = new ArrayList<>(List.of("serve", "--port", "0", "--host", "0.0.0.0"));
      args.addAll(unsafe);
      Shunt shunt = Shunt.launch(List.of(), Map.of(), args.toArray(String[]::new));
      assertThat(shunt.awaitExit()).as(unsafe.toString()).isEqualTo(2);
      assertThat(shunt.stderr.toString()).contains("host 0.0.0.0 is reachable beyond this machine: it needs "
          + "--auth sigv4 and --credentials");
      assertThat(shunt.stdout.toString()).doesNotContain("listening");
    }
  }

  @Test
  void beyondLoopbackTheBannerSaysTheRealBindAndTheAdminTokenOnce() throws Exception {
    Shunt shunt = Shunt.launch(List.of(), Map.of(), "serve", "--port", "0", "--host", "0.0.0.0", "--auth", "sigv4",
        "--credentials", "AKIDME:long-secret");
    try {
      String banner = shunt.stdoutLines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      Matcher matcher = Pattern.compile("Shunt listening on http://0\\.0\\.0\\.0:(\\d+) \\(from this machine: "
          + "http://127\\.0\\.0\\.1:(\\d+)\\)").matcher(String.valueOf(banner));
      assertThat(matcher.matches()).as("%s; stderr: %s", banner, shunt.stderr).isTrue();
      shunt.uri = URI.create("http://127.0.0.1:" + matcher.group(1));
      assertThat(shunt.stdoutLines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS)).startsWith("Shunt state: memory only");
      assertThat(shunt.stdoutLines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS)).contains("reachable beyond this machine");
      String tokenLine = shunt.stdoutLines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(tokenLine).startsWith("Admin token");
      String token = tokenLine.substring(tokenLine.lastIndexOf(' ') + 1);
      assertThat(shunt.stdoutLines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("Shunt dashboard: "
          + shunt.uri + "/_shunt/ (open it as " + shunt.uri + "/_shunt/#token=ADMIN_TOKEN)");

      assertThat(shunt.get("/_shunt/health").statusCode()).isEqualTo(200);
      assertThat(shunt.get("/_shunt/audit").statusCode()).isEqualTo(403);
      HttpResponse<String> withToken = HTTP.send(HttpRequest.newBuilder(shunt.uri.resolve("/_shunt/audit"))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(withToken.statusCode()).isEqualTo(200);
      assertThat(shunt.kms("ListKeys", "{}").statusCode()).as("unsigned").isEqualTo(400);
      assertThat(shunt.stdout.toString()).containsOnlyOnce(token);
    } finally {
      shunt.close();
    }
  }

  @Test
  void anUnknownOptionExitsWithTwoAndSaysWhich() throws Exception {
    Shunt shunt = Shunt.launch(List.of(), Map.of(), "serve", "--port", "0", "--nope", "x");
    assertThat(shunt.awaitExit()).isEqualTo(2);
    assertThat(shunt.stderr.toString()).contains("Unknown option --nope").doesNotContain("Exception");
    assertThat(shunt.stdout.toString()).doesNotContain("listening");
  }

  @Test
  void badValuesAndCommandsExitWithTwo() throws Exception {
    Shunt badAuth = Shunt.launch(List.of(), Map.of("SHUNT_AUTH", "maybe"), "serve", "--port", "0");
    assertThat(badAuth.awaitExit()).isEqualTo(2);
    assertThat(badAuth.stderr.toString()).contains("auth must be 'trust' or 'sigv4', not 'maybe'");

    Shunt missingFile = Shunt.launch(List.of(), Map.of(), "serve", "--port", "0",
        "--config", dir.resolve("missing.yaml").toString());
    assertThat(missingFile.awaitExit()).isEqualTo(2);
    assertThat(missingFile.stderr.toString()).contains("Cannot read config file").contains("missing.yaml");

    Shunt unknownCommand = Shunt.launch(List.of(), Map.of(), "frobnicate");
    assertThat(unknownCommand.awaitExit()).isEqualTo(2);
    assertThat(unknownCommand.stderr.toString()).contains("Unknown command 'frobnicate'");

    Shunt loadtest = Shunt.launch(List.of(), Map.of(), "loadtest", "--rate", "5");
    assertThat(loadtest.awaitExit()).isEqualTo(2);
    assertThat(loadtest.stderr.toString()).contains("loadtest is in its own jar").contains("shunt-loadtest.jar");
  }

  @Test
  void aPortInUseExitsWithOneAndAMessageNotAStackTrace() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Shunt shunt = Shunt.launch(List.of(), Map.of(), "serve", "--port", Integer.toString(taken.getLocalPort()));
      assertThat(shunt.awaitExit()).isEqualTo(1);
      assertThat(shunt.stderr.toString()).contains("shunt: cannot start")
          .contains(Integer.toString(taken.getLocalPort())).doesNotContain("\tat ");
    }
  }

  @Test
  void helpPrintsEveryOption() throws Exception {
    for (String[] args : new String[][] {{"--help"}, {"serve", "--help"}}) {
      Shunt help = Shunt.launch(List.of(), Map.of(), args);
      assertThat(help.awaitExit()).as(String.join(" ", args)).isZero();
      String out = help.stdout.toString();
      assertThat(out).startsWith("Usage: java -jar shunt-backend.jar serve [options]");
      for (ShuntOptions.Option option : ShuntOptions.Option.values()) {
        assertThat(out).contains("--" + option.key() + " ").contains(option.help());
      }
      assertThat(out).doesNotContain("listening");
    }
  }

  /** The shaded jar (only under {@code mvn verify}, which builds it first): real version, no SLF4J noise. */
  @Test
  void theStandaloneJarKnowsItsVersionAndStartsQuietly() throws Exception {
    String jar = System.getProperty("shunt.it.standaloneJar");
    String projectVersion = System.getProperty("shunt.it.projectVersion");
    Assumptions.assumeTrue(jar != null && Files.isRegularFile(Path.of(jar)),
        "the standalone jar is built in the package phase; run mvn verify");
    List<String> javaJar = Shunt.launcher(List.of(), "-jar", jar);

    Shunt version = Shunt.command(javaJar, Map.of(), "version");
    assertThat(version.awaitExit()).isZero();
    assertThat(version.stdout.toString()).isEqualTo("Shunt " + projectVersion + "\n");
    assertThat(version.stderr.toString()).isEmpty();

    // With a data directory: the shaded jar carries SQLite's native library too, and on Java 25 its manifest
    // allows the native access the driver needs, so the JVM has no warning to print.
    List<List<String>> launchers = new ArrayList<>(List.of(javaJar));
    Path java25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    if (Files.isExecutable(java25)) {
      launchers.add(List.of(java25.toString(), "-jar", jar));
    }
    for (List<String> launcher : launchers) {
      Path data = Files.createTempDirectory(dir, "jar-data");
      Shunt serve = Shunt.command(launcher, Map.of(), "serve", "--port", "0", "--data-dir", data.toString())
          .awaitListening();
      try {
        assertThat(serve.health().get("version").asText()).isEqualTo(projectVersion);
      } finally {
        serve.process.destroy();
      }
      serve.awaitExit();
      // Everything it printed to its end: the listening, state and dashboard lines, and not a word on stderr (no
      // SLF4J notice).
      assertThat(serve.stdout.toString()).as(launcher.get(0)).matches(LISTENING.pattern() + "\n"
          + Pattern.quote("Shunt state: " + data.toAbsolutePath() + " (empty)") + "\n"
          + Pattern.quote("Shunt dashboard: " + serve.uri + "/_shunt/") + "\n");
      assertThat(serve.stderr.toString()).as(launcher.get(0)).isEmpty();
    }
  }
}
