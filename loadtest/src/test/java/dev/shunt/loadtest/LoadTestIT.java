package dev.shunt.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.shunt.backend.ShuntBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * The loadtest command end to end, a few seconds each: against an embedded backend whose quota is
 * lowered so that it throttles, against a running Shunt, through an application's endpoint, and as
 * the runnable jar; the report and its JSON hold the run's numbers and agree with the server's
 * ({@code GET /_shunt/stats}, the dashboard's). Mistakes exit 2 and write nothing.
 */
class LoadTestIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  /** What a run printed and returned. */
  private record Run(int status, String out, String err) {}

  private static Run loadtest(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      status = LoadTestCommand.run(args, 0, o, e, Map.of());
    }
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static long sum(JsonNode seconds, String op, String field) {
    long total = 0;
    for (JsonNode second : seconds) {
      total += second.path("operations").path(op).path(field).asLong();
    }
    return total;
  }

  @Test
  void anEmbeddedBackendWithASmallQuotaThrottlesAndTheReportHoldsTheRunsNumbers() throws Exception {
    Path quotas = dir.resolve("quotas.yaml");
    Files.writeString(quotas, "rates:\n  \"kms:Decrypt\": 10\n");
    Path html = dir.resolve("report.html");
    Run run = loadtest("--operation", "kms:Decrypt", "--rate", "30", "--duration", "3s", "--quotas",
        quotas.toString(), "--report", html.toString());
    assertThat(run.status()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("wrote " + html);

    String page = Files.readString(html);
    HtmlReportTest.assertSelfContained(page);
    assertThat(page).contains("kms:Decrypt", "Offered vs accepted rate, against the quota", "quota 10");

    JsonNode report = JSON.readTree(dir.resolve("report.json").toFile());
    JsonNode run0 = report.path("run");
    assertThat(run0.path("targetKind").asText()).isEqualTo("embedded");
    assertThat(run0.path("retryMode").asText()).isEqualTo("standard");
    assertThat(run0.path("maxAttempts").asInt()).isEqualTo(3);
    long start = run0.path("start").asLong();
    long end = run0.path("end").asLong();
    assertThat(end - start).isBetween(2L, 30L);

    JsonNode client = report.path("client").path("totals").path("kms:Decrypt");
    // Open loop: exactly rate × duration calls were offered, every one answered in the end.
    assertThat(client.path("offered").asLong()).isEqualTo(90);
    assertThat(client.path("completed").asLong()).isEqualTo(90);
    assertThat(client.path("throttled").asLong()).isPositive();
    assertThat(client.path("retries").asLong()).isPositive();
    assertThat(client.path("backoff").path("count").asLong()).isPositive();
    assertThat(client.path("attempts").asLong())
        .isEqualTo(client.path("accepted").asLong() + client.path("throttled").asLong()
            + client.path("attemptErrors").asLong());
    assertThat(client.path("attempts").asLong()).isEqualTo(90 + client.path("retries").asLong());

    JsonNode server = report.path("server");
    assertThat(server.path("source").asText()).isEqualTo("/_shunt/stats");
    assertThat(server.path("quotas").path("kms:Decrypt").asDouble()).isEqualTo(10.0);
    JsonNode serverTotals = server.path("totals").path("kms:Decrypt");
    // The client's accepted and throttled attempts are the server's: the same requests, seen from both ends.
    assertThat(serverTotals.path("accepted").asLong()).isEqualTo(client.path("accepted").asLong());
    assertThat(serverTotals.path("throttled").asLong()).isEqualTo(client.path("throttled").asLong());
    assertThat(serverTotals.path("requests").asLong()).isEqualTo(client.path("attempts").asLong());
    // The bucket holds one second of the quota and refills at it: at most 10 + 10 per second were accepted.
    assertThat(serverTotals.path("accepted").asLong()).isLessThanOrEqualTo(10 + 10 * (end - start + 1));

    JsonNode clientSeconds = report.path("client").path("seconds");
    JsonNode serverSeconds = server.path("seconds");
    assertThat(clientSeconds.size()).isEqualTo((int) (end - start + 1)).isEqualTo(serverSeconds.size());
    for (int i = 0; i < clientSeconds.size(); i++) {
      assertThat(clientSeconds.get(i).path("t").asLong()).isEqualTo(start + i)
          .isEqualTo(serverSeconds.get(i).path("t").asLong());
    }
    assertThat(sum(clientSeconds, "kms:Decrypt", "accepted")).isEqualTo(client.path("accepted").asLong());
    assertThat(sum(serverSeconds, "kms:Decrypt", "accepted")).isEqualTo(serverTotals.path("accepted").asLong());
    // Server latencies are there for the seconds it answered.
    assertThat(serverSeconds.get(0).path("operations").path("kms:Decrypt").path("p50").asLong()).isPositive();
    assertThat(clientSeconds.get(0).path("operations").path("kms:Decrypt").path("offered").asLong())
        .isEqualTo(30);
  }

  @Test
  void mistakesExitTwoAndWriteNothing() throws Exception {
    String report = dir.resolve("report.html").toString();
    List<String[]> mistakes = List.of(
        new String[] {"--operation", "kms:Decrypts", "--rate", "5", "--report", report},
        new String[] {"--operation", "kms:Decrypt", "--rate", "-5", "--report", report},
        new String[] {"--operation", "kms:Decrypt", "--rate", "5", "--duration", "soon", "--report", report},
        new String[] {"--operation", "kms:Decrypt", "--rate", "5", "--quota-scale", "lots", "--report", report});
    List<String> messages = new ArrayList<>();
    for (String[] args : mistakes) {
      Run run = loadtest(args);
      assertThat(run.status()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(run.out()).isEmpty();
      messages.add(run.err().lines().findFirst().orElse(""));
    }
    assertThat(messages.get(0)).startsWith("shunt loadtest: unknown operation 'kms:Decrypts'");
    assertThat(messages.get(1)).startsWith("shunt loadtest: rate must be a number of calls per second above 0");
    assertThat(messages.get(2)).startsWith("shunt loadtest: duration takes a time such as");
    assertThat(messages.get(3)).startsWith("shunt loadtest: ").contains("quota-scale");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
    Run help = loadtest("--help");
    assertThat(help.status()).isZero();
    assertThat(help.out()).contains("--operation", "--rate", "--concurrency", "--target-app", "kms:Decrypt");
  }

  @Test
  void aRunningShuntAtAConcurrency() throws Exception {
    String token = "loadtest-admin-token-0123456789";
    try (ShuntBackend shunt = ShuntBackend.builder().port(0).option("quotas", "aws").option("admin-token", token)
        .start()) {
      Path html = dir.resolve("target.html");
      // SSM's GetParameter quota is 40 per second: two callers in a loop go beyond it.
      Run run = loadtest("--target", shunt.uri().toString(), "--operation", "ssm:GetParameter,kms:GenerateRandom",
          "--concurrency", "2", "--duration", "2s", "--admin-token", token, "--report", html.toString());
      assertThat(run.status()).as(run.out() + run.err()).isZero();
      JsonNode report = JSON.readTree(dir.resolve("target.json").toFile());
      assertThat(report.path("run").path("targetKind").asText()).isEqualTo("shunt");
      assertThat(report.path("server").path("source").asText()).isEqualTo("/_shunt/stats");
      assertThat(report.path("run").path("openLoop").asBoolean()).isFalse();
      for (String op : List.of("ssm:GetParameter", "kms:GenerateRandom")) {
        JsonNode client = report.path("client").path("totals").path(op);
        JsonNode server = report.path("server").path("totals").path(op);
        assertThat(client.path("offered").asLong()).as(op).isPositive().isEqualTo(client.path("completed").asLong());
        assertThat(server.path("accepted").asLong()).as(op).isEqualTo(client.path("accepted").asLong());
        assertThat(server.path("throttled").asLong()).as(op).isEqualTo(client.path("throttled").asLong());
      }
      JsonNode ssm = report.path("client").path("totals").path("ssm:GetParameter");
      assertThat(ssm.path("throttled").asLong()).isPositive();
      assertThat(report.path("server").path("quotas").path("ssm:GetParameter").asDouble()).isEqualTo(40.0);
      // Equal weights: the two operations were offered alike (the closed loop alternates them).
      long generateRandom = report.path("client").path("totals").path("kms:GenerateRandom").path("offered").asLong();
      assertThat((double) ssm.path("offered").asLong()).isCloseTo(generateRandom, within(3.0));
    }
  }

  @Test
  void anApplicationsEndpointWithItsShuntsStats() throws Exception {
    try (ShuntBackend shunt = ShuntBackend.builder().port(0).option("quotas", "aws").start();
         SsmClient ssm = SsmClient.builder().endpointOverride(shunt.uri()).region(Region.US_EAST_1)
             .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("app", "app")))
             .httpClient(ApacheHttpClient.create()).build()) {
      ssm.putParameter(r -> r.name("/app/setting").value("on").type(ParameterType.STRING));
      // The application: each GET /setting reads the parameter (its SDK retries inside, out of the client's sight).
      HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      app.createContext("/setting", exchange -> {
        int status;
        byte[] body;
        try {
          body = ssm.getParameter(r -> r.name("/app/setting")).parameter().value().getBytes(StandardCharsets.UTF_8);
          status = 200;
        } catch (RuntimeException e) {
          body = e.getClass().getSimpleName().getBytes(StandardCharsets.UTF_8);
          status = 503;
        }
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
      });
      app.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
      app.start();
      try {
        Path html = dir.resolve("app.html");
        Run run = loadtest("--target-app", "http://127.0.0.1:" + app.getAddress().getPort() + "/setting",
            "--shunt", shunt.uri().toString(), "--rate", "10", "--duration", "2s", "--report", html.toString());
        assertThat(run.status()).as(run.out() + run.err()).isZero();
        JsonNode report = JSON.readTree(dir.resolve("app.json").toFile());
        assertThat(report.path("run").path("targetKind").asText()).isEqualTo("application");
        JsonNode client = report.path("client").path("totals").path("GET /setting");
        assertThat(client.path("offered").asLong()).isEqualTo(20);
        assertThat(client.path("accepted").asLong()).isEqualTo(20);
        assertThat(client.path("retries").asLong()).isZero();
        // What the application's Shunt served in the run's window: one GetParameter per request.
        JsonNode server = report.path("server").path("totals").path("ssm:GetParameter");
        assertThat(server.path("accepted").asLong()).isEqualTo(20);
        assertThat(report.path("server").path("quotas").path("ssm:GetParameter").asDouble()).isEqualTo(40.0);
        String page = Files.readString(html);
        HtmlReportTest.assertSelfContained(page);
        assertThat(page).contains("GET /setting", "ssm:GetParameter");
      } finally {
        app.stop(0);
        ((java.util.concurrent.ExecutorService) app.getExecutor()).shutdownNow();
      }
    }
  }

  @Test
  void theRunnableJar() throws Exception {
    String jar = System.getProperty("shunt.it.loadtestJar");
    Assumptions.assumeTrue(jar != null && Files.isRegularFile(Path.of(jar)), "the jar is built in the package phase");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path html = dir.resolve("jar.html");
    Process process = new ProcessBuilder(java, "-jar", jar, "loadtest", "--operation", "kms:GenerateRandom",
        "--rate", "20", "--duration", "1s", "--report", html.toString()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("kms:GenerateRandom: offered 20 (20.0/s), accepted 20");
    HtmlReportTest.assertSelfContained(Files.readString(html));
    assertThat(JSON.readTree(dir.resolve("jar.json").toFile()).path("version").asText()).isNotEqualTo("dev");

    Process bad = new ProcessBuilder(java, "-jar", jar, "loadtest", "--operation", "kms:Decrypt", "--rate", "-1",
        "--report", dir.resolve("bad.html").toString()).redirectErrorStream(true).start();
    String badOutput = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bad.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(bad.exitValue()).isEqualTo(2);
    assertThat(badOutput).contains("rate must be a number of calls per second above 0");
    assertThat(dir.resolve("bad.html")).doesNotExist();
    assertThat(dir.resolve("bad.json")).doesNotExist();
  }
}
