package dev.shunt.backend.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;

/**
 * The upstream client against a WireMock upstream over real HTTP: retries and their bounds, the
 * answers passed through or made up, and the SigV4 signature of what arrives.
 */
class UpstreamClientIT {
  private static final String TARGET = "TrentService.DescribeKey";
  private static final String JSON = "application/x-amz-json-1.1";
  private static final byte[] BODY = "{\"KeyId\":\"alias/upstream\"}".getBytes(StandardCharsets.UTF_8);
  private static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("AKID", "upstream-secret"));
  /** Small delays so retries take milliseconds; generous time-outs unless a test is about them. */
  private static final UpstreamRetryPolicy FAST = policy(3, Duration.ofSeconds(2), Duration.ofSeconds(5));

  private final WireMockServer upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
  private final List<UpstreamClient> clients = new ArrayList<>();
  private final List<String> attempts = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start() {
    upstream.start();
  }

  @AfterEach
  void stop() {
    clients.forEach(UpstreamClient::close);
    upstream.stop();
  }

  @Test
  void aThrottlingBurstIsRetriedUntilItPasses() throws Exception {
    stubSequence(
        aResponse().withStatus(400).withHeader("Content-Type", JSON)
            .withBody("{\"__type\":\"com.amazonaws.kms#ThrottlingException\",\"message\":\"Rate exceeded\"}"),
        // The same code from the header only, with a body that is not JSON.
        aResponse().withStatus(400).withHeader("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/")
            .withBody("slow down"),
        aResponse().withStatus(200).withHeader("Content-Type", JSON).withHeader("x-amzn-RequestId", "req-ok")
            .withBody("{\"KeyMetadata\":{}}"));

    UpstreamAnswer answer = forward(client(FAST, CREDENTIALS));

    assertThat(answer.succeeded()).isTrue();
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.attempts()).isEqualTo(3);
    assertThat(answer.errorCode()).isNull();
    assertThat(answer.requestId()).isEqualTo("req-ok");
    assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"KeyMetadata\":{}}");
    assertThat(attempts).hasSize(3);
    assertThat(attempts.get(0)).startsWith("1 400 ThrottlingException ").doesNotEndWith(" -1");
    assertThat(attempts.get(1)).startsWith("2 400 ThrottlingException ").doesNotEndWith(" -1");
    assertThat(attempts.get(2)).startsWith("3 200 null ").endsWith(" -1");
    upstream.verify(3, postRequestedFor(urlEqualTo("/")));
  }

  @Test
  void serverErrorsUntilTheAttemptsRunOutPassTheLastAnswerThroughUnchanged() throws Exception {
    byte[] last = "{\"__type\":\"KMSInternalException\",\"message\":\"the last one\"}".getBytes(StandardCharsets.UTF_8);
    stubSequence(
        aResponse().withStatus(500).withHeader("x-amzn-RequestId", "req-1").withBody("{\"__type\":\"InternalFailure\"}"),
        aResponse().withStatus(503).withHeader("x-amzn-RequestId", "req-2").withBody("{\"__type\":\"ServiceUnavailable\"}"),
        aResponse().withStatus(500).withHeader("x-amzn-RequestId", "req-3").withHeader("Content-Type", "application/json")
            .withBody(last));

    UpstreamAnswer answer = forward(client(FAST, CREDENTIALS));

    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.body()).isEqualTo(last);
    assertThat(answer.requestId()).isEqualTo("req-3");
    assertThat(answer.contentType()).isEqualTo("application/json");
    assertThat(answer.errorCode()).isEqualTo("KMSInternalException");
    assertThat(answer.attempts()).isEqualTo(3);
    assertThat(attempts).extracting(line -> line.split(" ")[1]).containsExactly("500", "503", "500");
    assertThat(attempts.get(2)).endsWith(" -1");
    upstream.verify(3, postRequestedFor(urlEqualTo("/")));
  }

  @Test
  void aClientErrorIsFinalAtOnce() throws Exception {
    byte[] body = "{\"__type\":\"NotFoundException\",\"message\":\"Alias arn:aws:kms:... is not found.\"}"
        .getBytes(StandardCharsets.UTF_8);
    upstream.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(400).withHeader("Content-Type", JSON)
        .withHeader("x-amzn-RequestId", "req-404").withBody(body)));

    UpstreamAnswer answer = forward(client(FAST, CREDENTIALS));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).isEqualTo(body);
    assertThat(answer.contentType()).isEqualTo(JSON);
    assertThat(answer.requestId()).isEqualTo("req-404");
    assertThat(answer.errorCode()).isEqualTo("NotFoundException");
    assertThat(answer.attempts()).isEqualTo(1);
    assertThat(attempts).hasSize(1).first().asString().startsWith("1 400 NotFoundException ").endsWith(" -1");
    upstream.verify(1, postRequestedFor(urlEqualTo("/")));
  }

  @Test
  void aSlowAnswerIsRetriedThenReportedAsNoAnswer() throws Exception {
    upstream.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(200).withFixedDelay(2_000)));
    UpstreamClient client = client(policy(2, Duration.ofMillis(300), Duration.ofSeconds(5)), CREDENTIALS);

    long start = System.nanoTime();
    UpstreamAnswer answer = forward(client);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.errorCode()).isEqualTo("ServiceUnavailable");
    assertThat(answer.attempts()).isEqualTo(2);
    assertThat(answer.requestId()).isNull();
    assertThat(answer.contentType()).isEqualTo(JSON);
    assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"__type\":\"ServiceUnavailable\","
        + "\"message\":\"Shunt's upstream http://127.0.0.1:" + upstream.port() + " did not answer: timed out after 300 ms\"}");
    assertThat(attempts).hasSize(2);
    assertThat(attempts.get(0)).startsWith("1 0 null ").doesNotEndWith(" -1");
    assertThat(attempts.get(1)).startsWith("2 0 null ").endsWith(" -1");
  }

  @Test
  void theTotalTimeoutAbandonsTheAttemptInFlight() throws Exception {
    upstream.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(200).withFixedDelay(6_000)));
    UpstreamClient client = client(policy(3, Duration.ofSeconds(5), Duration.ofMillis(500)), CREDENTIALS);

    long start = System.nanoTime();
    UpstreamAnswer answer = forward(client);

    // Well before the attempt's own 5 s time-out: the call's 500 ms ended it.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.attempts()).isEqualTo(1);
    assertThat(new String(answer.body(), StandardCharsets.UTF_8)).endsWith("did not answer: timed out after 500 ms\"}");
    assertThat(attempts).hasSize(1).first().asString().startsWith("1 0 null ").endsWith(" -1");
  }

  @Test
  void theTotalTimeoutCutsRetriesShort() throws Exception {
    upstream.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(503).withHeader("x-amzn-RequestId", "busy")
        .withBody("{\"__type\":\"ServiceUnavailableException\"}")));
    UpstreamRetryPolicy manyButBrief = new UpstreamRetryPolicy(1_000, Duration.ofMillis(40), Duration.ofMillis(40),
        Duration.ofMillis(80), Duration.ofSeconds(2), Duration.ofMillis(600), Duration.ofSeconds(1));

    long start = System.nanoTime();
    UpstreamAnswer answer = forward(client(manyButBrief, CREDENTIALS));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.requestId()).isEqualTo("busy");
    assertThat(answer.attempts()).isGreaterThan(1).isLessThan(1_000);
    assertThat(attempts).hasSize(answer.attempts());
    assertThat(attempts.get(attempts.size() - 1)).endsWith(" -1");
  }

  @Test
  void aClosedPortIsRetriedThenReportedAsNoAnswer() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    UpstreamClient client = new UpstreamClient(UpstreamEndpoints.parse("kms=http://127.0.0.1:" + closedPort), FAST,
        CREDENTIALS);
    clients.add(client);

    UpstreamAnswer answer = forward(client);

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.errorCode()).isEqualTo("ServiceUnavailable");
    assertThat(answer.attempts()).isEqualTo(3);
    assertThat(answer.requestId()).isNull();
    assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"__type\":\"ServiceUnavailable\","
        + "\"message\":\"Shunt's upstream http://127.0.0.1:" + closedPort + " did not answer: connection refused\"}");
    assertThat(attempts).extracting(line -> line.split(" ")[1]).containsExactly("0", "0", "0");
  }

  @Test
  void credentialsThatFailToResolveAnswerAtOnceWithoutRetry() throws Exception {
    IdentityProvider<AwsCredentialsIdentity> none = failing(SdkClientException.create(
        "Unable to load credentials from any of the providers in the chain: " + "x".repeat(400)
            + "\nEnvironmentVariableCredentialsProvider(): Unable to load credentials"));

    UpstreamAnswer answer = forward(client(FAST, none));

    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.errorCode()).isEqualTo("InternalFailure");
    assertThat(answer.attempts()).isEqualTo(1);
    String message = "Shunt has no AWS credentials for its upstream: "
        + ("Unable to load credentials from any of the providers in the chain: " + "x".repeat(400)).substring(0, 300);
    assertThat(new String(answer.body(), StandardCharsets.UTF_8))
        .isEqualTo("{\"__type\":\"InternalFailure\",\"message\":\"" + message + "\"}");
    assertThat(attempts).hasSize(1).first().asString().endsWith(" -1");
    upstream.verify(0, postRequestedFor(urlEqualTo("/")));
  }

  @Test
  void whatArrivesIsSignedForTheServiceAndRegion() throws Exception {
    upstream.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(200).withBody("{}")));
    UpstreamClient client = new UpstreamClient(UpstreamEndpoints.parse("all=http://127.0.0.1:" + upstream.port()), FAST,
        CREDENTIALS);
    clients.add(client);

    UpstreamAnswer answer = client.forward("secretsmanager", "eu-west-2", "secretsmanager.GetSecretValue", JSON, BODY,
        UpstreamAttempts.NONE).get(10, TimeUnit.SECONDS);

    assertThat(answer.succeeded()).isTrue();
    LoggedRequest arrived = upstream.findAll(postRequestedFor(urlEqualTo("/"))).get(0);
    String date = arrived.getHeader("X-Amz-Date");
    assertThat(date).matches("\\d{8}T\\d{6}Z");
    String authorization = arrived.getHeader("Authorization");
    assertThat(authorization).startsWith("AWS4-HMAC-SHA256 Credential=AKID/" + date.substring(0, 8)
        + "/eu-west-2/secretsmanager/aws4_request, SignedHeaders=");
    assertThat(signedHeaders(authorization)).contains("host", "x-amz-date", "x-amz-target", "content-type");
    assertThat(arrived.getHeader("Host")).isEqualTo("127.0.0.1:" + upstream.port());
    assertThat(arrived.getHeader("X-Amz-Target")).isEqualTo("secretsmanager.GetSecretValue");
    assertThat(arrived.getHeader("Content-Type")).isEqualTo(JSON);
    assertThat(arrived.getBody()).isEqualTo(BODY);
    assertThat(arrived.containsHeader("X-Amz-Security-Token")).isFalse();
    assertThat(authorization).isEqualTo(signatureOf(arrived, CREDENTIALS.resolveCredentials(), "secretsmanager",
        "eu-west-2"));
  }

  @Test
  void sessionCredentialsSendTheirTokenAndEachAttemptIsSignedAfresh() throws Exception {
    stubSequence(aResponse().withStatus(500), aResponse().withStatus(200).withBody("{}"));
    AwsSessionCredentials session = AwsSessionCredentials.create("ASIATEMP", "session-secret", "the-session-token");

    UpstreamAnswer answer = forward(client(FAST, StaticCredentialsProvider.create(session)));

    assertThat(answer.succeeded()).isTrue();
    List<LoggedRequest> arrived = upstream.findAll(postRequestedFor(urlEqualTo("/")));
    assertThat(arrived).hasSize(2);
    for (LoggedRequest request : arrived) {
      assertThat(request.getHeader("X-Amz-Security-Token")).isEqualTo("the-session-token");
      assertThat(signedHeaders(request.getHeader("Authorization"))).contains("x-amz-security-token");
      assertThat(request.getHeader("Authorization")).contains("Credential=ASIATEMP/")
          .isEqualTo(signatureOf(request, session, "kms", "us-east-1"));
      assertThat(request.getBody()).isEqualTo(BODY);
    }
  }

  @Test
  void aListenerThatThrowsDoesNotBreakTheCall() throws Exception {
    stubSequence(aResponse().withStatus(503), aResponse().withStatus(200).withBody("{}"));
    UpstreamClient client = client(FAST, CREDENTIALS);

    UpstreamAnswer answer = client.forward("kms", "us-east-1", TARGET, JSON, BODY, (n, s, c, e, b) -> {
      throw new IllegalStateException("a broken metrics listener");
    }).get(10, TimeUnit.SECONDS);

    assertThat(answer.succeeded()).isTrue();
    assertThat(answer.attempts()).isEqualTo(2);
  }

  @Test
  void anAnswerLargerThan16MibIsNotBuffered() throws Exception {
    upstream.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(200)
        .withBody(new byte[BoundedBody.LIMIT + 1])));
    UpstreamClient client = client(policy(1, Duration.ofSeconds(5), Duration.ofSeconds(10)), CREDENTIALS);

    UpstreamAnswer answer = forward(client);

    assertThat(answer.status()).isEqualTo(503);
    assertThat(new String(answer.body(), StandardCharsets.UTF_8)).endsWith("did not answer: answer larger than 16 MiB\"}");
  }

  @Test
  void beyondMaxInFlightCallsAreRefusedAtOnce() throws Exception {
    CompletableFuture<AwsCredentialsIdentity> held = new CompletableFuture<>();
    UpstreamClient client = client(FAST, new HeldCredentials(held));
    List<CompletableFuture<UpstreamAnswer>> admitted = new ArrayList<>();
    for (int i = 0; i < UpstreamClient.MAX_IN_FLIGHT; i++) {
      admitted.add(client.forward("kms", "us-east-1", TARGET, JSON, BODY, UpstreamAttempts.NONE));
    }

    UpstreamAnswer refused = client.forward("kms", "us-east-1", TARGET, JSON, BODY, UpstreamAttempts.NONE)
        .get(1, TimeUnit.SECONDS);

    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.attempts()).isZero();
    assertThat(new String(refused.body(), StandardCharsets.UTF_8)).isEqualTo("{\"__type\":\"ServiceUnavailable\","
        + "\"message\":\"Shunt's upstream queue is full (1024 calls in flight)\"}");
    held.completeExceptionally(new IllegalStateException("released"));
    CompletableFuture.allOf(admitted.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    assertThat(admitted).allSatisfy(call -> assertThat(call.join().status()).isEqualTo(500));
    assertThat(client.inFlight()).isZero();
    upstream.verify(0, postRequestedFor(urlEqualTo("/")));
  }

  @Test
  void closingAnswersTheCallsStillInFlight() throws Exception {
    UpstreamClient client = client(FAST, new HeldCredentials(new CompletableFuture<>()));
    CompletableFuture<UpstreamAnswer> pending = client.forward("kms", "us-east-1", TARGET, JSON, BODY,
        UpstreamAttempts.NONE);

    client.close();

    assertThat(pending.get(1, TimeUnit.SECONDS).status()).isEqualTo(503);
    assertThat(new String(pending.join().body(), StandardCharsets.UTF_8)).contains("upstream client is closed");
    assertThat(client.forward("kms", "us-east-1", TARGET, JSON, BODY, null).get(1, TimeUnit.SECONDS).status())
        .isEqualTo(503);
  }

  @Test
  void aServiceThatIsNotProxiedIsAnsweredWithoutSending() throws Exception {
    UpstreamAnswer answer = client(FAST, CREDENTIALS).forward("ssm", "us-east-1", "AmazonSSM.GetParameter", JSON,
        BODY, UpstreamAttempts.NONE).get(1, TimeUnit.SECONDS);

    assertThat(answer.status()).isEqualTo(500);
    assertThat(answer.errorCode()).isEqualTo("InternalFailure");
    upstream.verify(0, postRequestedFor(urlEqualTo("/")));
  }

  private static UpstreamRetryPolicy policy(int maxAttempts, Duration attemptTimeout, Duration totalTimeout) {
    return new UpstreamRetryPolicy(maxAttempts, Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50),
        attemptTimeout, totalTimeout, Duration.ofSeconds(1));
  }

  /** A client of kms only, sending to the WireMock upstream. */
  private UpstreamClient client(UpstreamRetryPolicy policy,
      IdentityProvider<? extends AwsCredentialsIdentity> credentials) {
    UpstreamClient client = new UpstreamClient(UpstreamEndpoints.parse("kms=http://127.0.0.1:" + upstream.port()),
        policy, credentials);
    clients.add(client);
    return client;
  }

  private UpstreamAnswer forward(UpstreamClient client) throws Exception {
    return client.forward("kms", "us-east-1", TARGET, JSON, BODY,
        (number, status, code, elapsed, backoff) -> attempts.add(number + " " + status + " " + code + " " + backoff))
        .get(15, TimeUnit.SECONDS);
  }

  /** Answers in this order, then the last answer again. */
  private void stubSequence(ResponseDefinitionBuilder... answers) {
    for (int i = 0; i < answers.length; i++) {
      upstream.stubFor(post(urlEqualTo("/")).inScenario("sequence")
          .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "answer " + i)
          .willSetStateTo("answer " + Math.min(i + 1, answers.length - 1))
          .willReturn(answers[i]));
    }
  }

  private static List<String> signedHeaders(String authorization) {
    String list = authorization.replaceAll(".*SignedHeaders=([^,]+),.*", "$1");
    return List.of(list.split(";"));
  }

  /** The Authorization header the SDK's signer makes of what arrived, at the time it says it was signed. */
  private static String signatureOf(LoggedRequest arrived, AwsCredentialsIdentity credentials, String service,
      String region) {
    ZonedDateTime signedAt = ZonedDateTime.parse(arrived.getHeader("X-Amz-Date"),
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX"));
    SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder()
        .method(SdkHttpMethod.POST)
        .uri(java.net.URI.create("http://" + arrived.getHeader("Host") + "/"))
        .putHeader("Host", arrived.getHeader("Host"))
        .putHeader("Content-Type", arrived.getHeader("Content-Type"))
        .putHeader("X-Amz-Target", arrived.getHeader("X-Amz-Target"));
    return AwsV4HttpSigner.create().sign(r -> r.identity(credentials)
            .request(request.build())
            .payload(ContentStreamProvider.fromByteArray(arrived.getBody()))
            .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
            .putProperty(AwsV4HttpSigner.REGION_NAME, region)
            .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt.toInstant(), ZoneOffset.UTC)))
        .request().firstMatchingHeader("Authorization").orElseThrow();
  }

  private static IdentityProvider<AwsCredentialsIdentity> failing(RuntimeException failure) {
    return new HeldCredentials(CompletableFuture.failedFuture(failure));
  }

  /** Credentials that come when (and as) the test says. */
  private record HeldCredentials(CompletableFuture<AwsCredentialsIdentity> identity)
      implements IdentityProvider<AwsCredentialsIdentity> {
    @Override
    public Class<AwsCredentialsIdentity> identityType() {
      return AwsCredentialsIdentity.class;
    }

    @Override
    public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(ResolveIdentityRequest request) {
      return identity;
    }
  }
}
