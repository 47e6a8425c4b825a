package dev.shunt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shunt.backend.ShuntBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SDK's retries, made visible: an application (ThrottledClient) calls KMS harder than a tiny
 * quota allows, with the SDK's standard retry mode. Shunt's interceptors tell each retried call on
 * the application's stderr, and push per-operation counters to the backend, which shows them
 * beside its own count of throttled requests. Backoffs are random: the tests check formats and how
 * the counts relate, never timings.
 */
class VisibleRetriesIT {
  private static final int CALLS = 20;
  /** A story whose first attempt was throttled and which went on to a second attempt. */
  private static final Pattern RETRIED_STORY = Pattern.compile(
      "KMS\\.GenerateRandom: attempt 1 ThrottlingException, waited \\d+ ms, attempt 2 "
          + "(OK|ThrottlingException, (gave up|waited \\d+ ms, attempt 3 (OK|ThrottlingException, gave up)))");
  private static final Pattern RETRIED_THEN_OK = Pattern.compile(
      "KMS\\.GenerateRandom: attempt 1 ThrottlingException, waited \\d+ ms, attempt 2 OK");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path quotas;

  @BeforeAll
  static void tinyQuota() throws Exception {
    quotas = Files.createTempFile("shunt-quotas", ".yaml");
    Files.writeString(quotas, "rates: {\"kms:symmetric\": 2}\n");
  }

  private static JavaProcess throttledClient(JavaProcess process) {
    return process.args("dev.shunt.examples.ThrottledClient", "--calls", Integer.toString(CALLS), "--threads", "4");
  }

  /** The story lines the interceptors logged on the application's stderr. */
  private static List<String> storyLines(JavaProcess.Result result) {
    List<String> stories = new ArrayList<>();
    result.stderr().lines().filter(line -> line.contains("[shunt] KMS.GenerateRandom: "))
        .forEach(line -> stories.add(line.substring(line.indexOf("KMS.GenerateRandom: "))));
    return stories;
  }

  private static void theApplicationRanAndItsRetriesWereTold(JavaProcess.Result result) {
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdout()).as(result.describe()).anyMatch(line -> line.startsWith("THROTTLED done ok="));
    assertThat(result.stdout()).as(result.describe())
        .filteredOn(line -> line.startsWith("THROTTLED call "))
        .hasSize(CALLS)
        .allMatch(line -> line.endsWith(" ok") || line.endsWith(" fail ThrottlingException"));
    List<String> stories = storyLines(result);
    assertThat(stories).as(result.describe()).isNotEmpty()
        .allMatch(story -> RETRIED_STORY.matcher(story.replaceFirst(" \\(and \\d+ more retried calls?\\)$", ""))
            .matches());
  }

  /** On SDK 2.54 and 2.20 (the same application built against each). */
  @ParameterizedTest
  @ValueSource(strings = {"routing-probe", "routing-probe-sdk2.20"})
  void withTheInterceptorsOnTheClassPathTheBackendSeesTheClientsRetries(String application) throws Exception {
    try (ShuntBackend backend = ShuntBackend.builder().port(0).option("quotas", quotas.toString()).start()) {
      JavaProcess.Result result = throttledClient(new JavaProcess(JavaProcess.JAVA_17)
          .args("-Dshunt.endpoint=" + backend.uri(), "-cp",
              JavaProcess.classPath(JavaProcess.example(application), JavaProcess.INTERCEPTORS))
          .env("AWS_REGION", "us-east-1").env("AWS_ACCESS_KEY_ID", "AKIDTHROTTLED")
          .env("AWS_SECRET_ACCESS_KEY", "x"))
          .run(180);
      theApplicationRanAndItsRetriesWereTold(result);
      long ok = result.stdout().stream().filter(line -> line.startsWith("THROTTLED call ") && line.endsWith(" ok"))
          .count();
      String pid = result.stdout().stream().filter(line -> line.startsWith("THROTTLED pid ")).findFirst()
          .map(line -> line.substring("THROTTLED pid ".length())).orElseThrow();

      JsonNode state = JSON.readTree(HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(backend.uri() + "/_shunt/quotas")).GET().build(),
          HttpResponse.BodyHandlers.ofString()).body());
      JsonNode clients = state.path("clients");
      assertThat(clients.size()).as(state.toPrettyString()).isEqualTo(1);
      String source = clients.fieldNames().next();
      assertThat(source).startsWith(pid + "@");
      JsonNode client = clients.get(source);
      assertThat(client.path("source").asText()).isEqualTo(source);
      JsonNode counts = client.path("operations").path("KMS.GenerateRandom");
      long calls = counts.path("calls").asLong();
      long attempts = counts.path("attempts").asLong();
      long retries = counts.path("retries").asLong();
      long throttles = counts.path("throttles").asLong();
      long giveUps = counts.path("giveUps").asLong();
      long successes = counts.path("successes").asLong();
      assertThat(calls).as(client.toPrettyString()).isEqualTo(CALLS);
      assertThat(attempts).as("attempts").isGreaterThan(calls).isEqualTo(calls + retries);
      assertThat(retries).as("retries").isPositive();
      assertThat(throttles).as("throttles").isPositive();
      assertThat(successes).as("successes").isEqualTo(ok);
      assertThat(successes + giveUps).as("every call succeeded or gave up").isEqualTo(calls);
      // Every attempt but the successful ones was throttled.
      assertThat(throttles).isEqualTo(attempts - successes);
      List<String> recent = new ArrayList<>();
      client.path("recent").forEach(story -> recent.add(story.asText()));
      assertThat(recent).as(client.toPrettyString()).isNotEmpty().allMatch(story -> RETRIED_STORY.matcher(story)
          .matches()).anyMatch(story -> RETRIED_THEN_OK.matcher(story).matches());
      assertThat(storyLines(result)).allMatch(line -> recent.stream().anyMatch(line::startsWith));

      // The backend's own count agrees: each throttled attempt was a throttled request, each success accepted.
      JsonNode usage = null;
      for (JsonNode entry : state.path("usage")) {
        if (entry.path("operation").asText().equals("GenerateRandom")) {
          usage = entry;
        }
      }
      assertThat(usage).as(state.toPrettyString()).isNotNull();
      assertThat(usage.path("throttled").asLong()).isPositive().isEqualTo(throttles);
      assertThat(usage.path("accepted").asLong()).isEqualTo(successes);
    }
  }

  @Test
  void underTheAgentTheApplicationsRetriesAreToldToo() throws Exception {
    JavaProcess.Result result = throttledClient(new JavaProcess(JavaProcess.JAVA_17)
        .args("-javaagent:" + JavaProcess.AGENT.toAbsolutePath() + "=quotas=" + quotas,
            "-cp", JavaProcess.example("routing-probe").toString()))
        .run(180);
    assertThat(result.stderr()).as(result.describe())
        .contains("[shunt] KMS, Secrets Manager and SSM clients go to http://127.0.0.1:");
    theApplicationRanAndItsRetriesWereTold(result);
  }

  @Test
  void theRetryLogIsAnAgentOptionToo() throws Exception {
    JavaProcess.Result result = new JavaProcess(JavaProcess.JAVA_17)
        .args("-javaagent:" + JavaProcess.AGENT.toAbsolutePath() + "=quotas=" + quotas + ",log-retries=false",
            "-cp", JavaProcess.example("routing-probe").toString(),
            "dev.shunt.examples.ThrottledClient", "--calls", "8", "--threads", "4")
        .run(180);
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stderr()).as(result.describe())
        .contains("[shunt] KMS, Secrets Manager and SSM clients go to http://127.0.0.1:")
        .doesNotContain("agent disabled").doesNotContain("KMS.GenerateRandom").doesNotContain("retried call");
    assertThat(result.stdout()).as(result.describe()).anyMatch(line -> line.startsWith("THROTTLED done ok="));
  }
}
