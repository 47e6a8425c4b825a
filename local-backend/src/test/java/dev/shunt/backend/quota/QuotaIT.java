package dev.shunt.backend.quota;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.core.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** The quota engine over real HTTP: rates, AWS's throttling errors, profiles, scale, overrides, pins, SSM throughput. */
class QuotaIT {
  private BackendFixture shunt;

  @AfterEach
  void stop() {
    if (shunt != null) {
      shunt.close();
    }
  }

  private BackendFixture start(String quotasJson) {
    shunt = BackendFixture.start(ShuntBackend.builder().option("quotas", "aws"));
    if (quotasJson != null) {
      configure(quotasJson);
    }
    return shunt;
  }

  private void configure(String quotasJson) {
    try {
      HttpResponse<String> response = shunt.post("/_shunt/quotas", null, quotasJson);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private KmsClient kms(String accessKey, boolean retries) {
    return KmsClient.builder().endpointOverride(shunt.uri()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, "x")))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(retries ? AwsRetryStrategy.standardRetryStrategy() : AwsRetryStrategy.doNotRetry()).build())
        .build();
  }

  /** Fires {@code count} calls back to back; returns how many were throttled. */
  private static int throttledOf(int count, Runnable call) {
    int throttled = 0;
    for (int i = 0; i < count; i++) {
      try {
        call.run();
      } catch (AwsServiceException e) {
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
        throttled++;
      }
    }
    return throttled;
  }

  @Test
  void underThreeTimesTheLoadTheAcceptedRateIsTheQuota() throws Exception {
    int quota = 20;
    start("{\"rates\": {\"kms:symmetric\": " + quota + "}}");
    int threads = 3;
    long start = System.nanoTime();
    long end = start + Duration.ofSeconds(6).toNanos();
    ConcurrentLinkedQueue<Long> accepted = new ConcurrentLinkedQueue<>();
    AtomicInteger throttled = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      done.add(pool.submit(() -> {
        try (KmsClient kms = kms("AKIDLOAD", false)) {
          long next = System.nanoTime();
          while (System.nanoTime() < end) {
            // Each thread offers the quota's rate: the three together offer three times it.
            next += 1_000_000_000L / quota;
            try {
              kms.generateRandom(r -> r.numberOfBytes(8));
              accepted.add(System.nanoTime());
            } catch (AwsServiceException e) {
              throttled.incrementAndGet();
            }
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
              TimeUnit.NANOSECONDS.sleep(sleep);
            }
          }
        }
        return null;
      }));
    }
    for (Future<?> future : done) {
      future.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    // The first second drains the bucket's one-second burst; the next five show the sustained rate.
    long windowStart = start + Duration.ofSeconds(1).toNanos();
    long windowEnd = windowStart + Duration.ofSeconds(5).toNanos();
    long inWindow = accepted.stream().filter(t -> t >= windowStart && t < windowEnd).count();
    assertThat(inWindow / 5.0).as("accepted per second (%d throttled)", throttled.get())
        .isBetween(quota * 0.95, quota * 1.05);
    assertThat(throttled.get()).isGreaterThan(quota * 5);
  }

  @Test
  void throttledCallsGetEachServicesOwnThrottlingError() throws Exception {
    start("{\"rates\": {\"kms:GenerateRandom\": 0, \"secretsmanager:GetRandomPassword\": 0, "
        + "\"ssm:GetParameter\": 0}}");
    HttpResponse<String> kms = shunt.post("/", "TrentService.GenerateRandom", "{\"NumberOfBytes\": 8}");
    assertThat(kms.statusCode()).isEqualTo(400);
    assertThat(kms.headers().firstValue("x-amzn-ErrorType")).contains("ThrottlingException");
    assertThat(Json.readTree(kms.body())).isEqualTo(Json.readTree("{\"__type\":\"ThrottlingException\","
        + "\"message\":\"You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.\"}"));
    for (String target : new String[] {"secretsmanager.GetRandomPassword", "AmazonSSM.GetParameter"}) {
      HttpResponse<String> response = shunt.post("/", target, "{\"Name\": \"/x\"}");
      assertThat(response.statusCode()).as(target).isEqualTo(400);
      assertThat(Json.readTree(response.body())).as(target)
          .isEqualTo(Json.readTree("{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"));
    }
  }

  @Test
  void theSdksStandardRetryModeBacksOffAndRetriesThrottledCalls() {
    start("{\"rates\": {\"kms:GenerateRandom\": 2}}");
    AtomicInteger attempts = new AtomicInteger();
    ExecutionInterceptor counting = new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        attempts.incrementAndGet();
      }
    };
    try (KmsClient kms = KmsClient.builder().endpointOverride(shunt.uri()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDRETRY", "x")))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(ClientOverrideConfiguration.builder().retryStrategy(RetryMode.STANDARD)
            .addExecutionInterceptor(counting).build())
        .build()) {
      int succeeded = 0;
      for (int i = 0; i < 4; i++) {
        try {
          kms.generateRandom(r -> r.numberOfBytes(8));
          succeeded++;
        } catch (AwsServiceException e) {
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
          assertThat(e.isThrottlingException()).isTrue();
        }
      }
      assertThat(attempts.get()).as("attempts for 4 calls").isGreaterThan(4);
      assertThat(succeeded).isGreaterThan(2);
    }
    JsonNode usage = usage("000000000000", "us-east-1", "GenerateRandom");
    assertThat(usage.get("throttled").asLong()).isPositive();
    assertThat(usage.get("group").asText()).isEqualTo("kms:GenerateRandom");
  }

  private JsonNode usage(String account, String region, String operation) {
    try {
      JsonNode report = Json.readTree(shunt.get("/_shunt/quotas").body());
      for (JsonNode entry : report.get("usage")) {
        if (entry.get("account").asText().equals(account) && entry.get("region").asText().equals(region)
            && entry.get("operation").asText().equals(operation)) {
          return entry;
        }
      }
      throw new AssertionError("No usage for " + operation + " in " + report);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theHighThroughputSettingRaisesTheGetParameterQuota() {
    start("{\"scale\": 0.1}");
    try (SsmClient ssm = SsmClient.builder().endpointOverride(shunt.uri()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSSM", "x")))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(AwsRetryStrategy.doNotRetry()).build())
        .build()) {
      ssm.putParameter(r -> r.name("/hot").value("v").type(ParameterType.STRING));
      int throttled = throttledOf(20, () -> ssm.getParameter(r -> r.name("/hot")));
      assertThat(throttled).as("default: 40 × 0.1 = 4 per second").isBetween(14, 17);
      assertThat(usage("000000000000", "us-east-1", "GetParameter").get("quota").asDouble()).isEqualTo(4.0);

      ssm.updateServiceSetting(r -> r.settingId("/ssm/parameter-store/high-throughput-enabled").settingValue("true"));
      assertThat(throttledOf(20, () -> ssm.getParameter(r -> r.name("/hot")))).as("10,000 × 0.1").isZero();
      assertThat(usage("000000000000", "us-east-1", "GetParameter").get("group").asText())
          .isEqualTo("ssm:GetParameter:high-throughput");
    }
  }

  @Test
  void scaleOverridesAndAccountPinsApply() {
    start("{\"scale\": 0.2, \"accounts\": {\"111122223333\": {\"scale\": 10}}}");
    try (KmsClient kms = kms("AKIDSCALE", false); KmsClient raised = kms("111122223333", false)) {
      // CreateKey: 5 per second × 0.2 = 1.
      assertThat(throttledOf(3, () -> kms.createKey(r -> { }))).isEqualTo(2);
      // The pinned account: 5 × 10 = 50.
      assertThat(throttledOf(10, () -> raised.createKey(r -> { }))).isZero();

      configure("{\"rates\": {\"kms:CreateKey\": 3}}");
      assertThat(throttledOf(5, () -> kms.createKey(r -> { }))).isEqualTo(2);
      String keyId = raised.createKey(r -> { }).keyMetadata().arn();
      // An operation of a shared group gets a bucket of its own when given a rate; the rest of
      // the group keeps the shared (scaled) one.
      configure("{\"scale\": 0.2, \"rates\": {\"kms:GenerateRandom\": 1}}");
      assertThat(throttledOf(3, () -> kms.generateRandom(r -> r.numberOfBytes(1)))).isEqualTo(2);
      assertThat(throttledOf(3, () -> raised.encrypt(r -> r.keyId(keyId)
          .plaintext(software.amazon.awssdk.core.SdkBytes.fromUtf8String("x"))))).isZero();
    }
  }

  @Test
  void kmsSymmetricQuotaDependsOnTheRegionTier() throws Exception {
    start(null);
    for (String region : new String[] {"us-east-1", "eu-central-1", "ap-south-1"}) {
      try (KmsClient kms = KmsClient.builder().endpointOverride(shunt.uri()).region(Region.of(region))
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTIER", "x")))
          .httpClient(UrlConnectionHttpClient.create()).build()) {
        kms.generateRandom(r -> r.numberOfBytes(1));
      }
    }
    assertThat(usage("000000000000", "us-east-1", "GenerateRandom").get("quota").asDouble()).isEqualTo(100_000.0);
    assertThat(usage("000000000000", "eu-central-1", "GenerateRandom").get("quota").asDouble()).isEqualTo(20_000.0);
    assertThat(usage("000000000000", "ap-south-1", "GenerateRandom").get("quota").asDouble()).isEqualTo(10_000.0);
  }

  @Test
  void theOffProfileLimitsNothingAndCountingRulesChargeByKeyPairSpec() {
    start("{\"profile\": \"off\"}");
    try (KmsClient kms = kms("AKIDOFF", false)) {
      assertThat(throttledOf(12, () -> kms.createKey(r -> { }))).isZero();
      configure("{}");
      // GenerateDataKeyPair counts against its key pair spec's quota (RSA_4096, one per second)
      // before the key is looked up: the second call is throttled, not NotFound.
      expectError("NotFoundException", () -> kms.generateDataKeyPair(r -> r.keyId("k")
          .keyPairSpec("RSA_4096")));
      expectError("ThrottlingException", () -> kms.generateDataKeyPair(r -> r.keyId("k").keyPairSpec("RSA_4096")));
      expectError("NotFoundException", () -> kms.generateDataKeyPair(r -> r.keyId("k")
          .keyPairSpec("ECC_NIST_P256")));
    }
  }

  @Test
  void badQuotaSettingsAreRefused() throws Exception {
    start(null);
    for (String bad : new String[] {"{\"scale\": -1}", "{\"rates\": {\"CreateKey\": 3}}", "{\"profile\": \"max\"}",
        "{\"ratez\": {}}", "[1]", "not json",
        "{\"accounts\": {\"alice\": {\"scale\": 2}}}"}) {
      HttpResponse<String> response = shunt.post("/_shunt/quotas", null, bad);
      assertThat(response.statusCode()).as(bad).isEqualTo(400);
      assertThat(response.body()).contains("__type");
    }
    JsonNode report = Json.readTree(shunt.get("/_shunt/quotas").body());
    assertThat(report.get("profile").asText()).isEqualTo("aws");
    assertThat(report.get("scale").asDouble()).isEqualTo(1.0);
  }

  @Test
  void theQuotasOptionReadsAFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("quotas.yaml"),
        "scale: 0.5\nrates:\n  \"kms:CreateKey\": 1\n");
    shunt = BackendFixture.start(ShuntBackend.builder().option("quotas", file.toString()));
    JsonNode report = Json.readTree(shunt.get("/_shunt/quotas").body());
    assertThat(report.get("scale").asDouble()).isEqualTo(0.5);
    assertThat(report.get("rates").get("kms:CreateKey").asDouble()).isEqualTo(1.0);
    try (KmsClient kms = kms("AKIDFILE", false)) {
      assertThat(throttledOf(2, () -> kms.createKey(r -> { }))).isEqualTo(1);
    }
  }
  @Test
  void theUsageReportComesInStablyOrderedPages() throws Exception {
    start(null);
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    List<String> regions = List.of("us-east-1", "eu-west-1", "ap-south-1");
    for (int account = 1; account <= 5; account++) {
      for (String region : regions) {
        for (String operation : List.of("ListKeys", "GenerateRandom")) {
          HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(shunt.uri().resolve("/"))
              .header("Content-Type", "application/x-amz-json-1.1")
              .header("X-Amz-Target", "TrentService." + operation)
              .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + "00000000000".concat("" + account)
                  + "/20260101/" + region + "/kms/aws4_request, SignedHeaders=host, Signature=0")
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                  operation.equals("ListKeys") ? "{}" : "{\"NumberOfBytes\":1}")).build(),
              HttpResponse.BodyHandlers.ofString());
          assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }
      }
    }
    JsonNode whole = Json.readTree(shunt.get("/_shunt/quotas?limit=10000").body());
    assertThat(whole.has("nextToken")).isFalse();
    List<String> all = keys(whole.get("usage"));
    assertThat(all).hasSize(30).isSorted().doesNotHaveDuplicates();
    assertThat(whole.get("profile").asText()).isEqualTo("aws");
    assertThat(whole.has("clients")).isTrue();

    List<String> paged = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      JsonNode page = Json.readTree(shunt.get("/_shunt/quotas?limit=7"
          + (token == null ? "" : "&nextToken=" + java.net.URLEncoder.encode(token, "UTF-8"))).body());
      assertThat(page.get("usage").size()).isLessThanOrEqualTo(7);
      assertThat(page.get("profile").asText()).isEqualTo("aws");
      paged.addAll(keys(page.get("usage")));
      token = page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null;
      pages++;
    } while (token != null && pages < 10);
    assertThat(pages).isEqualTo(5);
    assertThat(paged).isEqualTo(all);
    // Without a limit, the first 1,000 entries.
    assertThat(keys(Json.readTree(shunt.get("/_shunt/quotas").body()).get("usage"))).isEqualTo(all);

    for (String bad : List.of("limit=0", "limit=10001", "limit=many", "nextToken=garbage",
        "limit=5&nextToken=" + "x".repeat(40))) {
      HttpResponse<String> response = shunt.get("/_shunt/quotas?" + bad);
      assertThat(response.statusCode()).as(bad).isEqualTo(400);
      assertThat(Json.readTree(response.body()).get("__type").asText()).as(bad).contains("ValidationException");
    }
  }

  private static List<String> keys(JsonNode usage) {
    List<String> keys = new ArrayList<>();
    usage.forEach(entry -> keys.add(entry.get("account").asText() + " " + entry.get("region").asText() + " "
        + entry.get("service").asText() + " " + entry.get("operation").asText()));
    return keys;
  }
}
