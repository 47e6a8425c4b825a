package dev.shunt.backend.fault;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.core.Json;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/** Fault injection over real HTTP: error rates, AWS errors, bare statuses, resets, latency, schedules, resources. */
class FaultInjectionIT {
  private static BackendFixture shunt;
  private static KmsClient kms;

  @BeforeAll
  static void start() {
    shunt = BackendFixture.start();
    kms = KmsClient.builder().endpointOverride(shunt.uri()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDFAULT", "x")))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(AwsRetryStrategy.doNotRetry()).build())
        .build();
  }

  @AfterAll
  static void stop() {
    kms.close();
    shunt.close();
  }

  @BeforeEach
  void clear() throws Exception {
    shunt.backend().reset();
    faults("[]");
  }

  private static JsonNode faults(String rules) throws Exception {
    HttpResponse<String> response = shunt.post("/_shunt/faults", null, rules);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Json.readTree(response.body());
  }

  @Test
  void anErrorRateProducesThatShareOfTheChosenError() throws Exception {
    faults("[{\"operations\": [\"kms:GenerateRandom\"], \"error\": {\"code\": \"KMSInternalException\", "
        + "\"status\": 500, \"rate\": 0.3}}]");
    int calls = 400;
    int failed = 0;
    for (int i = 0; i < calls; i++) {
      try {
        kms.generateRandom(r -> r.numberOfBytes(4));
      } catch (AwsServiceException e) {
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("KMSInternalException");
        assertThat(e.statusCode()).isEqualTo(500);
        failed++;
      }
    }
    // 0.3 of 400 is 120 with a standard deviation near 9: ±40 is over four of them.
    assertThat(failed).isBetween(80, 160);
    JsonNode usage = usage("GenerateRandom");
    assertThat(usage.get("faulted").asLong()).isEqualTo(failed);
    // Other operations are not touched.
    kms.createKey(r -> { });
  }

  private static JsonNode usage(String operation) throws Exception {
    for (JsonNode entry : Json.readTree(shunt.get("/_shunt/quotas").body()).get("usage")) {
      if (entry.get("operation").asText().equals(operation)) {
        return entry;
      }
    }
    throw new AssertionError("no usage for " + operation);
  }

  @Test
  void bareStatusesResetsAndThrottlesLookLikeTheirRealThing() throws Exception {
    faults("[{\"operations\": \"kms:GenerateRandom\", \"error\": {\"status\": 503}}]");
    AwsServiceException unavailable = (AwsServiceException) catchThrowable(() -> kms.generateRandom(r -> r.numberOfBytes(1)));
    assertThat(unavailable.statusCode()).isEqualTo(503);
    HttpResponse<String> raw = shunt.post("/", "TrentService.GenerateRandom", "{\"NumberOfBytes\":1}");
    assertThat(raw.statusCode()).isEqualTo(503);
    assertThat(raw.body()).isEqualTo("Service Unavailable");

    faults("[{\"operations\": \"kms:*\", \"error\": {\"reset\": true}}]");
    Throwable reset = catchThrowable(() -> kms.generateRandom(r -> r.numberOfBytes(1)));
    assertThat(reset).isInstanceOf(SdkClientException.class);

    faults("[{\"operations\": \"*\", \"error\": {\"throttle\": true}}]");
    AwsServiceException throttled = expectError("ThrottlingException", () -> kms.generateRandom(r -> r.numberOfBytes(1)));
    assertThat(throttled.awsErrorDetails().errorMessage()).startsWith("You have exceeded the rate at which you may call KMS");
    assertThat(throttled.isThrottlingException()).isTrue();
    assertThat(shunt.get("/_shunt/health").statusCode()).isEqualTo(200);
  }

  @Test
  void latencyDelaysTheAnswerWithoutBlockingOtherConnections() throws Exception {
    faults("[{\"operations\": \"kms:GenerateRandom\", \"latency\": {\"fixedMs\": 300}}]");
    long start = System.nanoTime();
    kms.generateRandom(r -> r.numberOfBytes(1));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(tookMillis).as("an injected 300 ms delay is at least 300 ms").isGreaterThanOrEqualTo(300);
    faults("[{\"operations\": \"kms:GenerateRandom\", \"latency\": {\"distribution\": \"uniform\", \"minMs\": 50, "
        + "\"maxMs\": 80}, \"error\": {\"code\": \"DependencyTimeoutException\", \"status\": 503, \"rate\": 1}}]");
    expectError("DependencyTimeoutException", 503, () -> kms.generateRandom(r -> r.numberOfBytes(1)));
  }

  @Test
  void delayedAnswersOnOneConnectionStayInOrder() throws Exception {
    faults("[{\"operations\": \"kms:GenerateRandom\", \"latency\": {\"fixedMs\": 200}}]");
    String slow = request("TrentService.GenerateRandom", "{\"NumberOfBytes\":1}");
    String fast = request("TrentService.ListKeys", "{}");
    try (Socket socket = new Socket("127.0.0.1", shunt.uri().getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write((slow + fast).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      socket.setSoTimeout(5000);
      InputStream in = socket.getInputStream();
      StringBuilder received = new StringBuilder();
      byte[] buffer = new byte[8192];
      while (received.indexOf("\"Keys\"") < 0) {
        int read = in.read(buffer);
        if (read < 0) {
          break;
        }
        received.append(new String(buffer, 0, read, StandardCharsets.US_ASCII));
      }
      assertThat(received.indexOf("\"Plaintext\"")).isNotNegative().isLessThan(received.indexOf("\"Keys\""));
    }
  }

  private static String request(String target, String body) {
    return "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: " + target
        + "\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
  }

  @Test
  void aResourceRuleTouchesOnlyThatKey() throws Exception {
    String slow = kms.createKey(r -> { }).keyMetadata().keyId();
    kms.createAlias(r -> r.aliasName("alias/fragile").targetKeyId(slow));
    String steady = kms.createKey(r -> { }).keyMetadata().keyId();
    faults("[{\"operations\": \"kms:Encrypt\", \"resource\": \"alias/fragile\", \"error\": {\"code\": "
        + "\"KMSInternalException\", \"status\": 500}}]");
    expectError("KMSInternalException", 500, () -> kms.encrypt(r -> r.keyId("alias/fragile")
        .plaintext(SdkBytes.fromUtf8String("x"))));
    kms.encrypt(r -> r.keyId(steady).plaintext(SdkBytes.fromUtf8String("x")));
  }

  @Test
  void aScheduleSwitchesARuleOnForPartOfEachPeriod() throws Exception {
    faults("[{\"operations\": \"kms:GenerateRandom\", \"schedule\": {\"everySeconds\": 2, \"activeSeconds\": 1}, "
        + "\"error\": {\"throttle\": true}}]");
    int failed = 0;
    int succeeded = 0;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < end) {
      try {
        kms.generateRandom(r -> r.numberOfBytes(1));
        succeeded++;
      } catch (AwsServiceException e) {
        failed++;
      }
      Thread.sleep(50);
    }
    assertThat(failed).isPositive();
    assertThat(succeeded).isPositive();
  }

  @Test
  void rulesAreShownBackAndBadRulesRefused() throws Exception {
    JsonNode set = faults("[{\"operations\": [\"secretsmanager:*\"], \"latency\": {\"distribution\": "
        + "\"exponential\", \"meanMs\": 5}}]");
    assertThat(set).hasSize(1);
    assertThat(Json.readTree(shunt.get("/_shunt/faults").body())).isEqualTo(set);
    for (String bad : new String[] {"{}", "[{}]", "[{\"operations\": \"Decrypt\", \"latency\": {\"fixedMs\": 1}}]",
        "[{\"error\": {\"rate\": 2}}]", "[{\"latency\": {\"distribution\": \"pareto\"}}]",
        "[{\"error\": {\"status\": 200}}]", "[{\"error\": {}, \"schedule\": {\"everySeconds\": 1, \"activeSeconds\": 5}}]",
        "[{\"latency\": {\"fixedMs\": 1e12}}]", "[{\"latency\": {\"fixedMs\": \"NaN\"}}]",
        "[{\"error\": {\"rate\": \"often\"}}]"}) {
      HttpResponse<String> response = shunt.post("/_shunt/faults", null, bad);
      assertThat(response.statusCode()).as(bad).isEqualTo(400);
    }
    HttpResponse<String> cleared = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
        .newBuilder(shunt.uri().resolve("/_shunt/faults")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(Json.readTree(cleared.body())).isEmpty();
  }
}
