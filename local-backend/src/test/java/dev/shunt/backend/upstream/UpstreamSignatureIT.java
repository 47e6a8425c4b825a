package dev.shunt.backend.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.auth.AuthMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The strongest check of the signature: a real Shunt backend checking SigV4 is the upstream, so
 * every signed byte (Host, date, headers, body hash) must be what an AWS service verifies.
 */
class UpstreamSignatureIT {
  private static final String JSON = "application/x-amz-json-1.1";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final UpstreamRetryPolicy POLICY = UpstreamRetryPolicy.standard(3, Duration.ofSeconds(5),
      Duration.ofSeconds(10));
  private static ShuntBackend upstream;

  @BeforeAll
  static void start() {
    upstream = ShuntBackend.builder().port(0).option("quotas", "off").auth(AuthMode.SIGV4)
        .credentials("AKIAUPSTREAM1:upstream-secret-1").start();
  }

  @AfterAll
  static void stop() {
    upstream.close();
  }

  @Test
  void aSignedCreateKeyAndGenerateRandomAreAccepted() throws Exception {
    try (UpstreamClient client = client("upstream-secret-1")) {
      UpstreamAnswer created = client.forward("kms", "eu-west-1", "TrentService.CreateKey", JSON,
          "{}".getBytes(StandardCharsets.UTF_8), UpstreamAttempts.NONE).get(15, TimeUnit.SECONDS);

      assertThat(created.status()).as(text(created)).isEqualTo(200);
      assertThat(created.attempts()).isEqualTo(1);
      assertThat(created.requestId()).isNotBlank();
      JsonNode keyMetadata = MAPPER.readTree(created.body()).path("KeyMetadata");
      assertThat(keyMetadata.path("KeyId").asText()).isNotBlank();
      assertThat(keyMetadata.path("Arn").asText()).startsWith("arn:aws:kms:eu-west-1:");

      UpstreamAnswer random = client.forward("kms", "eu-west-1", "TrentService.GenerateRandom", JSON,
          "{\"NumberOfBytes\":16}".getBytes(StandardCharsets.UTF_8), UpstreamAttempts.NONE).get(15, TimeUnit.SECONDS);

      assertThat(random.status()).as(text(random)).isEqualTo(200);
      byte[] plaintext = Base64.getDecoder().decode(MAPPER.readTree(random.body()).path("Plaintext").asText());
      assertThat(plaintext).hasSize(16);
    }
  }

  @Test
  void aWrongSecretGetsTheUpstreamsRefusalUnchangedAfterOneAttempt() throws Exception {
    List<Integer> statuses = new ArrayList<>();
    try (UpstreamClient client = client("not-the-secret")) {
      UpstreamAnswer refused = client.forward("kms", "eu-west-1", "TrentService.GenerateRandom", JSON,
          "{\"NumberOfBytes\":16}".getBytes(StandardCharsets.UTF_8),
          (number, status, code, elapsed, backoff) -> statuses.add(status)).get(15, TimeUnit.SECONDS);

      assertThat(refused.status()).isEqualTo(400);
      assertThat(refused.errorCode()).isEqualTo("InvalidSignatureException");
      assertThat(refused.attempts()).isEqualTo(1);
      assertThat(refused.requestId()).isNotBlank();
      assertThat(MAPPER.readTree(refused.body()).path("__type").asText()).endsWith("InvalidSignatureException");
      assertThat(statuses).containsExactly(400);
      assertThat(text(refused)).doesNotContain("not-the-secret");
    }
  }

  private static UpstreamClient client(String secret) {
    return new UpstreamClient(UpstreamEndpoints.parse("kms=" + upstream.uri()), POLICY,
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAUPSTREAM1", secret)));
  }

  private static String text(UpstreamAnswer answer) {
    return new String(answer.body(), StandardCharsets.UTF_8);
  }
}
