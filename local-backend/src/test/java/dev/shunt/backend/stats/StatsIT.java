package dev.shunt.backend.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.auth.AuthMode;
import dev.shunt.backend.core.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * {@code GET /_shunt/stats} over real HTTP, with load from the real SDK: requests throttled under a
 * small quota, injected faults and other errors each counted as such, cache hits, the quota, the
 * keys used and by whom; admin-protected as the other admin endpoints; cleared by a reset.
 */
class StatsIT {
  private static final String ACCESS_KEY = "AKIASTATSTEST";
  private static final String SECRET = "stats-secret";
  private final HttpClient http = HttpClient.newHttpClient();
  private BackendFixture shunt;

  @AfterEach
  void stop() {
    if (shunt != null) {
      shunt.close();
    }
  }

  private static KmsClient kms(URI endpoint) {
    return KmsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET)))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(AwsRetryStrategy.doNotRetry()).build())
        .build();
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(shunt.uri().resolve(path)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private void post(String path, String body) throws Exception {
    HttpResponse<String> response = shunt.post(path, null, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  /** The stats once the seconds hold every request the totals count for {@code operation}. */
  private JsonNode settled(String operation, String token) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      HttpResponse<String> response = get("/_shunt/stats?seconds=60", token);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode stats = Json.readTree(response.body());
      long inSeconds = 0;
      for (JsonNode second : stats.get("seconds")) {
        inSeconds += second.get("operations").path(operation).path("requests").asLong();
      }
      if (inSeconds > 0 && inSeconds == stats.get("totals").get(operation).get("requests").asLong()
          || System.nanoTime() > deadline) {
        return stats;
      }
      Thread.sleep(200);
    }
  }

  private static long sum(JsonNode stats, String operation, String field) {
    long sum = 0;
    for (JsonNode second : stats.get("seconds")) {
      sum += second.get("operations").path(operation).path(field).asLong();
    }
    return sum;
  }

  @Test
  void throttlesUnderASmallQuotaFaultsAndErrorsAreCountedApartPerSecond() throws Exception {
    shunt = BackendFixture.start(ShuntBackend.builder().option("quotas", "aws"));
    post("/_shunt/quotas", "{\"rates\": {\"kms:symmetric\": 5}}");
    post("/_shunt/faults", "[{\"operations\": \"kms:ListKeys\", \"error\": {\"code\": \"KMSInternalException\","
        + " \"status\": 500}}]");
    int accepted = 0;
    int throttled = 0;
    String keyArn;
    try (KmsClient kms = kms(shunt.uri())) {
      keyArn = kms.createKey(r -> { }).keyMetadata().arn();
      for (int i = 0; i < 40; i++) {
        try {
          kms.encrypt(r -> r.keyId(keyArn).plaintext(SdkBytes.fromUtf8String("x")));
          accepted++;
        } catch (AwsServiceException e) {
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
          throttled++;
        }
      }
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> kms.listKeys(r -> { })).isInstanceOf(AwsServiceException.class);
      }
      assertThatThrownBy(() -> kms.describeKey(r -> r.keyId("alias/none"))).isInstanceOf(AwsServiceException.class);
    }
    assertThat(throttled).as("a quota of 5 rps throttles most of 40 calls back to back").isGreaterThan(20);

    JsonNode stats = settled("kms:Encrypt", null);

    JsonNode encrypt = stats.get("totals").get("kms:Encrypt");
    assertThat(encrypt.get("requests").asLong()).isEqualTo(40);
    assertThat(encrypt.get("accepted").asLong()).isEqualTo(accepted);
    assertThat(encrypt.get("throttled").asLong()).isEqualTo(throttled);
    assertThat(encrypt.get("faults").asLong()).isZero();
    assertThat(encrypt.get("errors").asLong()).isZero();
    assertThat(encrypt.get("p99").asLong()).isPositive();
    assertThat(sum(stats, "kms:Encrypt", "throttled")).isEqualTo(throttled);
    assertThat(sum(stats, "kms:Encrypt", "accepted")).isEqualTo(accepted);
    JsonNode listKeys = stats.get("totals").get("kms:ListKeys");
    assertThat(listKeys.get("faults").asLong()).isEqualTo(3);
    assertThat(listKeys.get("requests").asLong()).isEqualTo(3);
    JsonNode describe = stats.get("totals").get("kms:DescribeKey");
    assertThat(describe.get("errors").asLong()).isEqualTo(1);
    assertThat(stats.get("totals").get("kms:CreateKey").get("accepted").asLong()).isEqualTo(1);

    assertThat(stats.get("quotas").get("kms:Encrypt").asDouble()).isEqualTo(5.0);
    assertThat(stats.get("quotas").get("kms:CreateKey").asDouble()).isPositive();
    for (JsonNode second : stats.get("seconds")) {
      JsonNode perSecond = second.get("operations").get("kms:Encrypt");
      if (perSecond != null) {
        assertThat(perSecond.get("requests").asLong()).isEqualTo(perSecond.get("accepted").asLong()
            + perSecond.get("throttled").asLong() + perSecond.get("faults").asLong()
            + perSecond.get("errors").asLong());
        assertThat(perSecond.get("p50").asLong()).isLessThanOrEqualTo(perSecond.get("p90").asLong());
        assertThat(perSecond.get("p99").asLong()).isLessThanOrEqualTo(perSecond.get("max").asLong());
      }
      assertThat(second.get("t").asLong()).isLessThan(stats.get("now").asLong() / 1000);
    }

    JsonNode top = stats.get("topKeys").get(0);
    assertThat(top.get("key").asText()).isEqualTo(keyArn);
    assertThat(top.get("operation").asText()).isEqualTo("kms:Encrypt");
    assertThat(top.get("principal").asText()).isEqualTo("arn:aws:iam::000000000000:root");
    assertThat(top.get("count").asLong()).isEqualTo(accepted);

    post("/_shunt/reset", "{}");
    JsonNode after = Json.readTree(get("/_shunt/stats", null).body());
    assertThat(after.get("seconds")).isEmpty();
    assertThat(after.get("totals").isEmpty()).isTrue();
    assertThat(after.get("topKeys")).isEmpty();
  }

  @Test
  void cacheHitsAndTheKeysAServiceUsedForItsCaller() throws Exception {
    shunt = BackendFixture.start(ShuntBackend.builder().option("data-key-cache", "on"));
    String keyArn;
    try (KmsClient kms = kms(shunt.uri());
        SecretsManagerClient secrets = shunt.secrets(ACCESS_KEY, Region.US_EAST_1)) {
      keyArn = kms.createKey(r -> { }).keyMetadata().arn();
      for (int i = 0; i < 5; i++) {
        kms.generateDataKey(r -> r.keyId(keyArn).keySpec(DataKeySpec.AES_256)
            .encryptionContext(Map.of("tenant", "a")));
      }
      secrets.createSecret(r -> r.name("stats/db").secretString("s3cr3t").kmsKeyId(keyArn));
      secrets.getSecretValue(r -> r.secretId("stats/db"));
    }

    JsonNode stats = settled("kms:GenerateDataKey", null);

    JsonNode dataKeys = stats.get("totals").get("kms:GenerateDataKey");
    assertThat(dataKeys.get("requests").asLong()).isEqualTo(5);
    assertThat(dataKeys.get("accepted").asLong()).isEqualTo(5);
    assertThat(dataKeys.get("cacheHits").asLong()).isEqualTo(4);
    assertThat(sum(stats, "kms:GenerateDataKey", "cacheHits")).isEqualTo(4);
    // Quotas off: no operation has one.
    assertThat(stats.get("quotas").get("kms:GenerateDataKey").isNull()).isTrue();
    assertThat(stats.get("totals").get("secretsmanager:GetSecretValue").get("accepted").asLong()).isEqualTo(1);
    boolean decryptedForTheCaller = false;
    for (JsonNode use : stats.get("topKeys")) {
      assertThat(use.get("key").asText()).isEqualTo(keyArn);
      if (use.get("operation").asText().equals("kms:Decrypt")) {
        decryptedForTheCaller = true;
        assertThat(use.get("count").asLong()).isEqualTo(1);
      }
    }
    assertThat(decryptedForTheCaller).as("GetSecretValue's Decrypt under the secret's key: %s", stats.get("topKeys"))
        .isTrue();
    // The five GenerateDataKeys, and the one Secrets Manager made to encrypt the secret's value.
    assertThat(stats.get("topKeys").get(0).get("operation").asText()).isEqualTo("kms:GenerateDataKey");
    assertThat(stats.get("topKeys").get(0).get("count").asLong()).isEqualTo(6);
  }

  @Test
  void underSigV4TheStatsNeedTheAdminToken() throws Exception {
    shunt = BackendFixture.start(ShuntBackend.builder().auth(AuthMode.SIGV4)
        .credentials(ACCESS_KEY + ":" + SECRET));
    String token = shunt.backend().generatedAdminToken().orElseThrow();
    try (KmsClient kms = kms(shunt.uri())) {
      kms.generateRandom(r -> r.numberOfBytes(8));
    }

    HttpResponse<String> denied = get("/_shunt/stats", null);
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).contains("MissingAuthenticationTokenException").doesNotContain("GenerateRandom");
    assertThat(get("/_shunt/stats", "not-the-token").statusCode()).isEqualTo(403);
    HttpResponse<String> allowed = get("/_shunt/stats", token);
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(allowed.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(Json.readTree(allowed.body()).get("totals").get("kms:GenerateRandom").get("requests").asLong())
        .isEqualTo(1);
  }

  @Test
  void theWindowIsValidated() throws Exception {
    shunt = BackendFixture.start();
    for (String bad : new String[] {"0", "901", "x", "-5"}) {
      HttpResponse<String> response = get("/_shunt/stats?seconds=" + bad, null);
      assertThat(response.statusCode()).as(bad).isEqualTo(400);
      assertThat(response.body()).contains("ValidationException").contains("seconds must be a number from 1 to 900");
    }
    assertThat(get("/_shunt/stats?seconds=900", null).statusCode()).isEqualTo(200);
    JsonNode empty = Json.readTree(get("/_shunt/stats", null).body());
    assertThat(empty.fieldNames()).toIterable().containsExactly("now", "seconds", "quotas", "topKeys", "totals");
  }
}
