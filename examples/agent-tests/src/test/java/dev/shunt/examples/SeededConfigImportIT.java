package dev.shunt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Spring Boot application whose configuration Spring Cloud AWS imports at start-up
 * ({@code spring.config.import} of the secret {@code app/db} and the parameters under
 * {@code /app/config/}), run unmodified under the agent with a seed file ({@code seed=FILE}): what
 * it prints comes from the seed, and a seed without its secret keeps it from starting, as AWS
 * would. The application has no Region or credentials: the agent supplies them, to the clients
 * Spring Cloud AWS's own auto-configuration builds before any bean exists.
 */
class SeededConfigImportIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The seed of the README's format: a key with an alias, a secret under it, a parameter. */
  private static final String SEED_YAML = """
      version: 1
      regions:
        - account: "000000000000"
          region: us-east-1
          kms:
            keys:
              - KeyId: 1234abcd-12ab-34cd-56ef-1234567890ab
                Description: app key
                Aliases: [alias/app]
          secretsmanager:
            secrets:
              - Name: app/db
                SecretString: '{"username":"seeded-user","password":"s3cret-from-seed"}'
                KmsKeyId: alias/app
          ssm:
            parameters:
              - Name: /app/config/greeting
                Type: String
                Value: hello from a seed
      """;

  /**
   * Everything the application needs but its secret (another secret instead), in JSON and in the
   * default account and Region: the backend started with this state, and only app/db is missing.
   */
  private static final String SEED_WITHOUT_THE_SECRET_JSON = """
      {"version": 1, "regions": [{
        "kms": {"keys": [{"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "Aliases": ["alias/app"]}]},
        "secretsmanager": {"secrets": [{"Name": "app/other", "SecretString": "{\\"username\\":\\"someone-else\\"}"}]},
        "ssm": {"parameters": [{"Name": "/app/config/greeting", "Type": "String", "Value": "hello from a seed"}]}
      }]}
      """;

  @TempDir
  Path dir;

  @Test
  void printsTheSecretAndTheParameterItImportedFromTheSeed() throws Exception {
    Path seed = Files.writeString(dir.resolve("app-seed.yaml"), SEED_YAML);
    JavaProcess.Result result = run("seed=" + seed, false);
    // First: a seed the backend refuses disables the agent, and its stderr line says why.
    assertThat(result.stderr()).as(result.describe()).doesNotContain("agent disabled")
        .contains("[shunt] KMS, Secrets Manager and SSM clients go to http://127.0.0.1:");
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdout()).as(result.describe())
        .contains("db.username=seeded-user", "db.password=(16 characters)", "greeting=hello from a seed");
  }

  @Test
  void doesNotStartWhenTheSeedHoldsNoSuchSecret() throws Exception {
    Path seed = Files.writeString(dir.resolve("app-seed.json"), SEED_WITHOUT_THE_SECRET_JSON);
    assertTheSecretIsMissing(seed);
  }

  /**
   * The same failure with no seed at all. It needs no seed support, so when the test above fails
   * and this one passes, the seed is at fault and not the route from Spring Cloud AWS to Shunt.
   */
  @Test
  void withoutASeedTheSecretIsMissingInTheAgentsBackend() throws Exception {
    assertTheSecretIsMissing(null);
  }

  /**
   * The application failed to start because the backend the agent started (with the seed, if one
   * is given) has no secret app/db: not for want of a Region or credentials, not for a connection
   * refused, not because the agent stepped aside (all of which Spring Boot's own report words the
   * same way: "via location 'aws-secretsmanager:app/db' does not exist"). Spring Cloud AWS's own
   * log line says why; the backend's audit record says that its client asked for app/db, in
   * which Region and with which credentials, and was told the secret does not exist.
   */
  private void assertTheSecretIsMissing(Path seed) throws Exception {
    Path audit = dir.resolve("audit.jsonl");
    String options = (seed == null ? "" : "seed=" + seed + ",") + "audit-log=" + audit;
    JavaProcess.Result result = run(options, true);
    String output = String.join("\n", result.stdout()) + "\n" + result.stderr();
    assertThat(result.stderr()).as(result.describe()).doesNotContain("agent disabled");
    assertThat(result.exitCode()).as(result.describe()).isNotZero();
    assertThat(result.stdout()).as(result.describe()).noneMatch(line -> line.startsWith("db.username="));
    assertThat(output).as(result.describe())
        .contains("APPLICATION FAILED TO START")
        .contains("via location 'aws-secretsmanager:app/db")
        .contains("Unable to load AWS secret from app/db")
        .contains("Secrets Manager can't find the specified secret")
        .contains("[shunt] KMS, Secrets Manager and SSM clients go to http://127.0.0.1:")
        .doesNotContain("Unable to execute HTTP request")
        .doesNotContain("UnknownHostException")
        .doesNotContain("Unable to load region")
        .doesNotContain("Unable to load credentials");

    // The import's one call (it stops at the first location that fails; the parameters come after).
    List<JsonNode> calls = auditRecords(audit).stream()
        .filter(record -> record.path("eventName").asText().equals("GetSecretValue")).toList();
    assertThat(calls).as("%s\n%s", calls, result.describe()).hasSize(1);
    JsonNode call = calls.get(0);
    assertThat(call.path("requestParameters").path("secretId").asText()).isEqualTo("app/db");
    assertThat(call.path("errorCode").asText()).isEqualTo("ResourceNotFoundException");
    // Spring Cloud AWS's client (it names itself in the User-Agent), with the Region and the
    // credentials the agent supplied: the application has neither.
    assertThat(call.path("userAgent").asText()).contains("spring-cloud-aws/");
    assertThat(call.path("awsRegion").asText()).isEqualTo("us-east-1");
    assertThat(call.path("userIdentity").path("accessKeyId").asText()).isEqualTo("shunt-agent");
    assertThat(call.path("recipientAccountId").asText()).isEqualTo("000000000000");
  }

  /**
   * Runs the application under the agent with {@code agentOptions}, no AWS settings and an empty
   * home. {@code withStartupLog} turns Spring Boot's logging system off (a standard switch, no
   * change to the application), so that the log lines Spring Cloud AWS writes during the import
   * reach the console when the start fails: Spring Boot holds them back until its logging is
   * set up, which a failed import never reaches.
   */
  private static JavaProcess.Result run(String agentOptions, boolean withStartupLog) throws Exception {
    JavaProcess process = new JavaProcess(JavaProcess.JAVA_17);
    if (withStartupLog) {
      process.args("-Dorg.springframework.boot.logging.LoggingSystem=none");
    }
    return process.args("-javaagent:" + JavaProcess.AGENT.toAbsolutePath() + "=" + agentOptions,
        "-jar", JavaProcess.example("spring-config-import-app").toString()).run(180);
  }

  /** The backend's CloudTrail-shaped records, one a line. */
  private static List<JsonNode> auditRecords(Path file) throws IOException {
    List<JsonNode> records = new ArrayList<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          records.add(JSON.readTree(line));
        }
      }
    }
    return records;
  }
}
