package dev.shunt.backend.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.auth.AuthMode;
import dev.shunt.backend.core.Json;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Shunt in front of an upstream: a second Shunt checking signatures (real crypto end to end), and
 * WireMock standing in for AWS when it throttles, fails or is slow.
 */
class ProxyModeIT {
  private static final StaticCredentialsProvider SHUNTS_OWN =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAPROXYSHUNT", "proxy-secret-1"));
  private final List<AutoCloseable> closing = new ArrayList<>();
  private WireMockServer aws;

  @BeforeEach
  void startFakeAws() {
    aws = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    aws.start();
  }

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    aws.stop();
  }

  private <T extends AutoCloseable> T closed(T resource) {
    closing.add(0, resource);
    return resource;
  }

  private BackendFixture front(ShuntBackend.Builder builder) {
    return closed(BackendFixture.start(builder.upstreamCredentials(SHUNTS_OWN)));
  }

  /** A KMS client that does not retry: what the upstream's retries did shows in what it gets. */
  private KmsClient kms(BackendFixture shunt, Region region) {
    return closed(KmsClient.builder().endpointOverride(shunt.uri()).region(region)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDCALLER", "x")))
        .overrideConfiguration(c -> c.retryStrategy(DefaultRetryStrategy.doNotRetry())).build());
  }

  private String fakeAws() {
    return "http://127.0.0.1:" + aws.port();
  }

  private List<LoggedRequest> arrived(String target) {
    return aws.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)));
  }

  // ---- a second Shunt as the upstream -------------------------------------------------------

  @Test
  void dataKeysFromTheCacheDecryptAtTheUpstreamAndOnlyKmsIsForwarded() throws Exception {
    BackendFixture upstream = closed(BackendFixture.start(ShuntBackend.builder().auth(AuthMode.SIGV4)
        .credentials("AKIAPROXYSHUNT:proxy-secret-1")));
    BackendFixture front = front(ShuntBackend.builder().option("upstream", "kms=" + upstream.uri())
        .option("data-key-cache", "on"));
    KmsClient kms = kms(front, Region.EU_WEST_1);
    String keyArn = kms.createKey(r -> r.description("made upstream")).keyMetadata().arn();
    assertThat(keyArn).startsWith("arn:aws:kms:eu-west-1:");
    GenerateDataKeyResponse first = kms.generateDataKey(r -> r.keyId(keyArn).keySpec(DataKeySpec.AES_256)
        .encryptionContext(Map.of("order", "7")));
    GenerateDataKeyResponse second = kms.generateDataKey(r -> r.keyId(keyArn).keySpec(DataKeySpec.AES_256)
        .encryptionContext(Map.of("order", "7")));
    assertThat(second.plaintext()).isEqualTo(first.plaintext());

    // The upstream made the data key, once, and decrypts what the cache handed out.
    try (KmsClient direct = upstream.kms("AKIAPROXYSHUNT", "proxy-secret-1", Region.EU_WEST_1)) {
      SdkBytes opened = direct.decrypt(r -> r.ciphertextBlob(second.ciphertextBlob())
          .encryptionContext(Map.of("order", "7"))).plaintext();
      assertThat(opened).isEqualTo(first.plaintext());
    }
    // (Under SigV4 the upstream's admin API wants its token: ask its quota engine directly.)
    JsonNode upstreamUsage = upstream.backend().quotas().report().get("usage");
    assertThat(upstreamUsage.toString()).contains("\"operation\":\"GenerateDataKey\"");
    for (JsonNode entry : upstreamUsage) {
      if (entry.get("operation").asText().equals("GenerateDataKey")) {
        assertThat(entry.get("accepted").asLong()).isEqualTo(1);
      }
    }
    // The caller's call is audited at the front with the key the upstream named.
    JsonNode records = Json.readTree(front.get("/_shunt/audit?limit=10").body()).get("Records");
    assertThat(records.toString()).contains(keyArn).contains("AKIDCALLER");

    // Secrets Manager stays emulated in the front: the upstream never hears of the secret.
    try (SecretsManagerClient sm = front.secrets()) {
      sm.createSecret(r -> r.name("local/only").secretString("x"));
    }
    assertThat(upstream.backend().quotas().report().get("usage").toString()).doesNotContain("secretsmanager");
  }

  @Test
  void aWrongSecretIsTheUpstreamsErrorPassedOnUnchanged() {
    BackendFixture upstream = closed(BackendFixture.start(ShuntBackend.builder().auth(AuthMode.SIGV4)
        .credentials("AKIAPROXYSHUNT:another-secret")));
    BackendFixture front = front(ShuntBackend.builder().option("upstream", "all=" + upstream.uri()));
    KmsClient kms = kms(front, Region.US_EAST_1);
    assertThatThrownBy(() -> kms.generateRandom(r -> r.numberOfBytes(8)))
        .isInstanceOfSatisfying(KmsException.class, e -> {
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
          assertThat(e.statusCode()).isEqualTo(400);
        });
  }

  // ---- WireMock as AWS ----------------------------------------------------------------------

  @Test
  void aThrottlingBurstIsRiddenOutWithBackoffAndEveryAttemptIsSignedAndOnTheSpan() throws Exception {
    String target = "TrentService.GenerateRandom";
    aws.stubFor(post("/").withHeader("X-Amz-Target", equalTo(target)).inScenario("burst")
        .whenScenarioStateIs(STARTED).willSetStateTo("throttled once").willReturn(throttled()));
    aws.stubFor(post("/").withHeader("X-Amz-Target", equalTo(target)).inScenario("burst")
        .whenScenarioStateIs("throttled once").willSetStateTo("recovered").willReturn(throttled()));
    aws.stubFor(post("/").withHeader("X-Amz-Target", equalTo(target)).inScenario("burst")
        .whenScenarioStateIs("recovered").willReturn(aResponse().withStatus(200)
            .withHeader("Content-Type", "application/x-amz-json-1.1").withBody("{\"Plaintext\":\"AAECAw==\"}")));
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    OpenTelemetrySdk otel = closed(OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build());
    BackendFixture front = front(ShuntBackend.builder().openTelemetry(otel).option("upstream", "kms=" + fakeAws()));
    KmsClient kms = kms(front, Region.AP_SOUTHEAST_2);

    assertThat(kms.generateRandom(r -> r.numberOfBytes(4)).plaintext().asByteArray()).containsExactly(0, 1, 2, 3);
    List<LoggedRequest> attempts = arrived(target);
    assertThat(attempts).hasSize(3);
    Set<String> dates = new HashSet<>();
    for (LoggedRequest attempt : attempts) {
      String authorization = attempt.getHeader("Authorization");
      assertThat(authorization).startsWith("AWS4-HMAC-SHA256 Credential=AKIAPROXYSHUNT/")
          .contains("/ap-southeast-2/kms/aws4_request").contains("x-amz-target").doesNotContain("AKIDCALLER");
      assertThat(attempt.getBodyAsString()).isEqualTo("{\"NumberOfBytes\":4}");
      dates.add(attempt.getHeader("X-Amz-Date"));
    }
    SpanData span = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("KMS.GenerateRandom"))
        .findFirst().orElseThrow();
    List<EventData> events = span.getEvents().stream().filter(e -> e.getName().equals("shunt.upstream.attempt"))
        .toList();
    assertThat(events).hasSize(3);
    assertThat(events.get(0).getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo("ThrottlingException");
    assertThat(events.get(0).getAttributes().get(AttributeKey.longKey("shunt.upstream.backoff_ms"))).isNotNull();
    assertThat(events.get(2).getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200);
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder throttled() {
    return aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
        .withBody("{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
  }

  @Test
  void fiveHundredsUntilAttemptsRunOutReachTheCallerUnchanged() {
    aws.stubFor(post("/").willReturn(aResponse().withStatus(500)
        .withHeader("Content-Type", "application/x-amz-json-1.1")
        .withBody("{\"__type\":\"KMSInternalException\",\"message\":\"upstream broke\"}")));
    BackendFixture front = front(ShuntBackend.builder().option("upstream", "kms=" + fakeAws()));
    KmsClient kms = kms(front, Region.US_EAST_1);
    assertThatThrownBy(() -> kms.generateRandom(r -> r.numberOfBytes(4)))
        .isInstanceOfSatisfying(KmsException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(500);
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("KMSInternalException");
          assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("upstream broke");
        });
    assertThat(arrived("TrentService.GenerateRandom")).hasSize(3);
  }

  @Test
  void aSlowUpstreamIsCutOffNotWaitedFor() {
    aws.stubFor(post("/").willReturn(aResponse().withStatus(200).withFixedDelay(5_000).withBody("{}")));
    BackendFixture front = front(ShuntBackend.builder().option("upstream", "kms=" + fakeAws())
        .option("upstream-attempt-timeout", "300ms").option("upstream-timeout", "1s"));
    KmsClient kms = kms(front, Region.US_EAST_1);
    Instant start = Instant.now();
    assertThatThrownBy(() -> kms.generateRandom(r -> r.numberOfBytes(4)))
        .isInstanceOfSatisfying(KmsException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(503);
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ServiceUnavailable");
          assertThat(e.awsErrorDetails().errorMessage()).contains("did not answer");
        });
    assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(4));
  }

  @Test
  void concurrentMissesOfOneDataKeyMakeOneUpstreamCall() throws Exception {
    aws.stubFor(post("/").withHeader("X-Amz-Target", equalTo("TrentService.GenerateDataKey"))
        .willReturn(aResponse().withStatus(200).withFixedDelay(400)
            .withHeader("Content-Type", "application/x-amz-json-1.1")
            .withBody("{\"KeyId\":\"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\","
                + "\"Plaintext\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"CiphertextBlob\":\"AQID\"}")));
    BackendFixture front = front(ShuntBackend.builder().option("upstream", "kms=" + fakeAws())
        .option("data-key-cache", "on"));
    KmsClient kms = kms(front, Region.US_EAST_1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<SdkBytes>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(() -> kms.generateDataKey(r -> r.keyId("alias/shared").numberOfBytes(32)).ciphertextBlob());
      }
      for (Future<SdkBytes> result : pool.invokeAll(calls)) {
        assertThat(result.get().asByteArray()).containsExactly(1, 2, 3);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(arrived("TrentService.GenerateDataKey")).hasSize(1);
    // A write through Shunt to the upstream that names no key it can tell drops the account's entries.
    aws.stubFor(post("/").withHeader("X-Amz-Target", equalTo("TrentService.DisableKey"))
        .willReturn(aResponse().withStatus(200).withBody("{}")));
    kms.disableKey(r -> r.keyId("alias/shared"));
    kms.generateDataKey(r -> r.keyId("alias/shared").numberOfBytes(32));
    assertThat(arrived("TrentService.GenerateDataKey")).hasSize(2);
  }

  @Test
  void aCachedSecretIsServedStaleWhileTheUpstreamFails() throws Exception {
    String target = "secretsmanager.GetSecretValue";
    aws.stubFor(post("/").withHeader("X-Amz-Target", equalTo(target)).inScenario("outage")
        .whenScenarioStateIs(STARTED).willSetStateTo("down").willReturn(aResponse().withStatus(200)
            .withBody("{\"ARN\":\"arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf\","
                + "\"Name\":\"db\",\"SecretString\":\"pw-1\",\"VersionId\":\"v1\",\"VersionStages\":[\"AWSCURRENT\"]}")));
    aws.stubFor(post("/").withHeader("X-Amz-Target", equalTo(target)).inScenario("outage")
        .whenScenarioStateIs("down").willReturn(aResponse().withStatus(503)
            .withBody("{\"__type\":\"ServiceUnavailable\",\"message\":\"down\"}")));
    BackendFixture front = front(ShuntBackend.builder().option("upstream", "secretsmanager=" + fakeAws())
        .option("secret-cache-ttl", "60s").option("upstream-max-attempts", "2"));
    String get = "{\"SecretId\":\"db\"}";
    assertThat(front.post("/", target, get).body()).contains("pw-1");
    front.backend().clock().advance(Duration.ofSeconds(61));
    var stale = front.post("/", target, get);
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(stale.body()).contains("pw-1");
    assertThat(stale.headers().firstValue("x-shunt-cache")).hasValue("stale");
    assertThat(arrived(target)).hasSize(3);
  }
}
