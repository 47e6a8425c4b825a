package dev.shunt.backend.secrets;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.RotateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.RotationRulesType;

/**
 * RotateSecret end to end, asynchronous as in AWS: the built-in password rotator, schedules
 * (AutomaticallyAfterDays, rate(), cron()) and the scheduler on the movable clock, Java SPI
 * rotators found by ServiceLoader, and HTTP callbacks served by a real web server that does its
 * work through Shunt's API as a rotation Lambda built from AWS's template would.
 */
class SecretRotationIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LAMBDA_PREFIX = "arn:aws:lambda:us-east-1:000000000000:function:";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static LambdaLikeServer callbacks;
  private static BackendFixture shunt;
  private static SecretsManagerClient sm;

  @BeforeAll
  static void start() throws IOException {
    callbacks = new LambdaLikeServer();
    shunt = BackendFixture.start(ShuntBackend.builder()
        .option("rotation-callbacks", "my-rotator=" + callbacks.url("/")));
    callbacks.connect(shunt.secrets());
    sm = shunt.secrets();
  }

  @AfterAll
  static void stop() {
    sm.close();
    shunt.close();
    callbacks.close();
  }

  @BeforeEach
  void reset() {
    shunt.backend().reset();
  }

  // ---- the built-in password rotator ------------------------------------------------------

  @Test
  void anUnknownFunctionNameRotatesWithTheBuiltInPasswordRotator() throws Exception {
    String oldValue = "{\"username\":\"app\",\"password\":\"old-password\",\"host\":\"db.internal\",\"port\":5432}";
    var created = sm.createSecret(r -> r.name("rotation/builtin").secretString(oldValue));
    String lambdaArn = LAMBDA_PREFIX + "no-such-function";

    RotateSecretResponse rotation = sm.rotateSecret(r -> r.secretId(created.arn()).rotationLambdaARN(lambdaArn)
        .rotationRules(RotationRulesType.builder().automaticallyAfterDays(30L).build()));
    assertThat(rotation.arn()).isEqualTo(created.arn());
    assertThat(rotation.name()).isEqualTo("rotation/builtin");
    String newVersion = rotation.versionId();
    assertThat(newVersion).isNotBlank().isNotEqualTo(created.versionId());

    DescribeSecretResponse described = awaitRotated(created.arn(), newVersion);
    assertThat(described.versionIdsToStages()).containsOnly(
        Map.entry(newVersion, List.of("AWSCURRENT")), Map.entry(created.versionId(), List.of("AWSPREVIOUS")));
    assertThat(described.rotationEnabled()).isTrue();
    assertThat(described.rotationLambdaARN()).isEqualTo(lambdaArn);
    assertThat(described.rotationRules().automaticallyAfterDays()).isEqualTo(30L);
    assertThat(described.lastRotatedDate()).isNotNull();
    assertThat(described.nextRotationDate()).isEqualTo(described.lastRotatedDate().plus(Duration.ofDays(30)));

    var current = sm.getSecretValue(r -> r.secretId("rotation/builtin"));
    assertThat(current.versionId()).isEqualTo(newVersion);
    assertThat(current.versionStages()).containsExactly("AWSCURRENT");
    JsonNode rotated = JSON.readTree(current.secretString());
    JsonNode original = JSON.readTree(oldValue);
    assertThat(rotated.get("password").asText()).isNotEqualTo("old-password").hasSize(32);
    ((ObjectNode) rotated).remove("password");
    ((ObjectNode) original).remove("password");
    assertThat(rotated).isEqualTo(original);

    var previous = sm.getSecretValue(r -> r.secretId("rotation/builtin").versionStage("AWSPREVIOUS"));
    assertThat(previous.versionId()).isEqualTo(created.versionId());
    assertThat(previous.secretString()).isEqualTo(oldValue);
    expectError("ResourceNotFoundException",
        () -> sm.getSecretValue(r -> r.secretId("rotation/builtin").versionStage("AWSPENDING")));

    JsonNode outcome = outcome(created.arn());
    assertThat(outcome.get("succeeded").asBoolean()).isTrue();
    assertThat(outcome.get("versionId").asText()).isEqualTo(newVersion);
  }

  @Test
  void aPlainStringSecretIsReplacedByTheNewPassword() throws Exception {
    var created = sm.createSecret(r -> r.name("rotation/plain").secretString("hunter2"));
    String versionId = sm.rotateSecret(r -> r.secretId("rotation/plain")
        .rotationLambdaARN(LAMBDA_PREFIX + "whatever")).versionId();
    awaitRotated(created.arn(), versionId);
    String rotated = sm.getSecretValue(r -> r.secretId("rotation/plain")).secretString();
    assertThat(rotated).isNotEqualTo("hunter2").hasSize(32);
  }

  @Test
  void scheduleExpressionsSetNextRotationDate() throws Exception {
    var rate = sm.createSecret(r -> r.name("rotation/rate").secretString("a"));
    String versionId = sm.rotateSecret(r -> r.secretId(rate.arn()).rotationLambdaARN(LAMBDA_PREFIX + "builtin")
        .rotationRules(RotationRulesType.builder().scheduleExpression("rate(10 days)").build())).versionId();
    DescribeSecretResponse rated = awaitRotated(rate.arn(), versionId);
    assertThat(rated.rotationRules().scheduleExpression()).isEqualTo("rate(10 days)");
    assertThat(rated.rotationRules().automaticallyAfterDays()).isNull();
    assertThat(rated.nextRotationDate()).isEqualTo(rated.lastRotatedDate().plus(Duration.ofDays(10)));

    // On the 10th of March at noon, "16:00 on the 1st and the 15th" is next the 15th.
    shunt.backend().clock().set(Instant.parse("2030-03-10T12:00:00Z"));
    sm.createSecret(r -> r.name("rotation/cron").secretString("b"));
    sm.rotateSecret(r -> r.secretId("rotation/cron").rotationLambdaARN(LAMBDA_PREFIX + "builtin")
        .rotationRules(RotationRulesType.builder().scheduleExpression("cron(0 16 1,15 * ? *)").duration("2h").build())
        .rotateImmediately(false));
    DescribeSecretResponse cron = sm.describeSecret(r -> r.secretId("rotation/cron"));
    assertThat(cron.rotationEnabled()).isTrue();
    assertThat(cron.rotationRules().scheduleExpression()).isEqualTo("cron(0 16 1,15 * ? *)");
    assertThat(cron.rotationRules().duration()).isEqualTo("2h");
    assertThat(cron.nextRotationDate()).isEqualTo(Instant.parse("2030-03-15T16:00:00Z"));

    // Past 16:00 on the 15th, the next one is on the 1st of the next month.
    shunt.backend().clock().set(Instant.parse("2030-03-15T16:30:00Z"));
    sm.createSecret(r -> r.name("rotation/cron-late").secretString("c"));
    sm.rotateSecret(r -> r.secretId("rotation/cron-late").rotationLambdaARN(LAMBDA_PREFIX + "builtin")
        .rotationRules(RotationRulesType.builder().scheduleExpression("cron(0 16 1,15 * ? *)").build())
        .rotateImmediately(false));
    assertThat(sm.describeSecret(r -> r.secretId("rotation/cron-late")).nextRotationDate())
        .isEqualTo(Instant.parse("2030-04-01T16:00:00Z"));
  }

  @Test
  void invalidRotationRulesAreRefused() {
    sm.createSecret(r -> r.name("rotation/invalid").secretString("a"));
    String lambdaArn = LAMBDA_PREFIX + "builtin";
    expectError("InvalidParameterException", () -> sm.rotateSecret(r -> r.secretId("rotation/invalid")
        .rotationLambdaARN(lambdaArn)
        .rotationRules(RotationRulesType.builder().automaticallyAfterDays(10L).scheduleExpression("rate(10 days)")
            .build())));
    for (String expression : List.of("rate(0 days)", "rate(10 weeks)", "rate(2 hours)", "rate(ten days)",
        "cron(0 16 * *)", "cron(99 16 1,15 * ? *)", "every day", "rate(1001 days)")) {
      expectError("InvalidParameterException", () -> sm.rotateSecret(r -> r.secretId("rotation/invalid")
          .rotationLambdaARN(lambdaArn)
          .rotationRules(RotationRulesType.builder().scheduleExpression(expression).build())));
    }
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId("rotation/invalid"));
    assertThat(described.rotationEnabled()).isNotEqualTo(Boolean.TRUE);
    assertThat(described.rotationLambdaARN()).isNull();
    assertThat(described.versionIdsToStages()).hasSize(1);
  }

  /**
   * AWS answers a rotation period out of range as InvalidParameterException with its own words,
   * not as a ValidationException of the model's range: moto's
   * {@code test_rotate_secret_rotation_period_validation}, sent past botocore's own checks.
   */
  @Test
  void automaticallyAfterDaysOutsideOneToAThousandIsInvalidParameterException() {
    sm.createSecret(r -> r.name("rotation/days").secretString("a"));
    for (long days : new long[] {0, 1001, -1}) {
      var error = expectError("InvalidParameterException", () -> sm.rotateSecret(r -> r.secretId("rotation/days")
          .rotationLambdaARN(LAMBDA_PREFIX + "builtin").rotateImmediately(false)
          .rotationRules(RotationRulesType.builder().automaticallyAfterDays(days).build())));
      assertThat(message(error)).isEqualTo("RotationRules.AutomaticallyAfterDays must be within 1-1000.");
    }
    assertThat(sm.describeSecret(r -> r.secretId("rotation/days")).rotationEnabled()).isNull();
  }

  /**
   * A secret never set to rotate has no RotationEnabled; once RotateSecret configured rotation it
   * is true, and false (still present) after CancelRotateSecret. Source: moto's
   * {@code test_rotate_secret_enable_rotation} ("RotationEnabled" not in a new secret's
   * DescribeSecret) and {@code test_cancel_rotate_secret}; the API reference is silent.
   */
  @Test
  void rotationEnabledIsAbsentUntilRotationIsConfiguredAndFalseAfterCancelRotateSecret() {
    sm.createSecret(r -> r.name("rotation/flag").secretString("a"));
    assertThat(sm.describeSecret(r -> r.secretId("rotation/flag")).rotationEnabled()).isNull();
    assertThat(sm.listSecrets().secretList().get(0).rotationEnabled()).isNull();

    sm.rotateSecret(r -> r.secretId("rotation/flag").rotationLambdaARN(LAMBDA_PREFIX + "builtin")
        .rotationRules(RotationRulesType.builder().automaticallyAfterDays(30L).build()).rotateImmediately(false));
    assertThat(sm.describeSecret(r -> r.secretId("rotation/flag")).rotationEnabled()).isTrue();

    sm.cancelRotateSecret(r -> r.secretId("rotation/flag"));
    DescribeSecretResponse cancelled = sm.describeSecret(r -> r.secretId("rotation/flag"));
    assertThat(cancelled.rotationEnabled()).isFalse();
    assertThat(cancelled.rotationLambdaARN()).isEqualTo(LAMBDA_PREFIX + "builtin");
    assertThat(sm.listSecrets().secretList().get(0).rotationEnabled()).isFalse();
  }

  @Test
  void rotateSecretWithoutAnyLambdaArnIsInvalidRequest() {
    sm.createSecret(r -> r.name("rotation/no-lambda").secretString("a"));
    expectError("InvalidRequestException", () -> sm.rotateSecret(r -> r.secretId("rotation/no-lambda")));
    expectError("InvalidRequestException", () -> sm.rotateSecret(r -> r.secretId("rotation/no-lambda")
        .rotationRules(RotationRulesType.builder().automaticallyAfterDays(7L).build())));
    assertThat(sm.describeSecret(r -> r.secretId("rotation/no-lambda")).rotationEnabled())
        .isNotEqualTo(Boolean.TRUE);
  }

  @Test
  void rotateImmediatelyFalseWaitsForTheSchedulerOnTheMovableClock() throws Exception {
    var created = sm.createSecret(r -> r.name("rotation/scheduled").secretString("{\"password\":\"p0\"}"));
    Instant before = shunt.backend().clock().now();
    sm.rotateSecret(r -> r.secretId(created.arn()).rotationLambdaARN(LAMBDA_PREFIX + "builtin")
        .rotationRules(RotationRulesType.builder().automaticallyAfterDays(7L).build()).rotateImmediately(false));
    Instant after = shunt.backend().clock().now();

    // The scheduler looks every 250 ms: give it several looks, then check nothing rotated.
    Thread.sleep(1_000);
    DescribeSecretResponse waiting = sm.describeSecret(r -> r.secretId(created.arn()));
    assertThat(waiting.rotationEnabled()).isTrue();
    assertThat(waiting.lastRotatedDate()).isNull();
    assertThat(waiting.versionIdsToStages()).containsOnly(Map.entry(created.versionId(), List.of("AWSCURRENT")));
    assertThat(waiting.nextRotationDate()).isBetween(before.plus(Duration.ofDays(7)), after.plus(Duration.ofDays(7)));

    shunt.backend().clock().advance(Duration.ofDays(7).plusHours(1));
    DescribeSecretResponse rotated = await("the scheduled rotation of " + created.arn(),
        () -> sm.describeSecret(r -> r.secretId(created.arn())),
        d -> d.lastRotatedDate() != null && !stagesOf(d, created.versionId()).contains("AWSCURRENT")
            && !hasStage(d, "AWSPENDING"));
    assertThat(stagesOf(rotated, created.versionId())).containsExactly("AWSPREVIOUS");
    assertThat(rotated.versionIdsToStages()).hasSize(2);
    assertThat(rotated.nextRotationDate()).isEqualTo(rotated.lastRotatedDate().plus(Duration.ofDays(7)));
    assertThat(JSON.readTree(sm.getSecretValue(r -> r.secretId(created.arn())).secretString())
        .get("password").asText()).isNotEqualTo("p0");
  }

  @Test
  void cancelRotateSecretTurnsAutomaticRotationOff() throws Exception {
    var created = sm.createSecret(r -> r.name("rotation/cancel").secretString("a"));
    String lambdaArn = LAMBDA_PREFIX + "builtin";
    String rotatedVersion = sm.rotateSecret(r -> r.secretId(created.arn()).rotationLambdaARN(lambdaArn)
        .rotationRules(RotationRulesType.builder().automaticallyAfterDays(1L).build())).versionId();
    awaitRotated(created.arn(), rotatedVersion);

    var cancelled = sm.cancelRotateSecret(r -> r.secretId("rotation/cancel"));
    assertThat(cancelled.arn()).isEqualTo(created.arn());
    assertThat(cancelled.name()).isEqualTo("rotation/cancel");
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId(created.arn()));
    assertThat(described.rotationEnabled()).isFalse();
    assertThat(described.nextRotationDate()).isNull();

    // Well past the old schedule, give the scheduler several looks: nothing rotates.
    shunt.backend().clock().advance(Duration.ofDays(3));
    Thread.sleep(1_000);
    assertThat(sm.getSecretValue(r -> r.secretId(created.arn())).versionId()).isEqualTo(rotatedVersion);

    // RotateSecret turns it on again, with the function already configured.
    String again = sm.rotateSecret(r -> r.secretId(created.arn())).versionId();
    DescribeSecretResponse back = awaitRotated(created.arn(), again);
    assertThat(back.rotationEnabled()).isTrue();
    assertThat(back.rotationLambdaARN()).isEqualTo(lambdaArn);
  }

  // ---- Java rotators (ServiceLoader) ------------------------------------------------------

  @Test
  void aServiceLoaderRotatorRunsTheFourStepsInOrder() {
    var created = sm.createSecret(r -> r.name("rotation/spi").secretString("before"));
    String versionId = sm.rotateSecret(r -> r.secretId("rotation/spi")
        .rotationLambdaARN(LAMBDA_PREFIX + RecordingRotator.NAME + ":$LATEST")).versionId();
    awaitRotated(created.arn(), versionId);

    assertThat(RecordingRotator.steps(created.arn())).containsExactly("createSecret:" + versionId,
        "setSecret:" + versionId, "testSecret:" + versionId, "finishSecret:" + versionId);
    var current = sm.getSecretValue(r -> r.secretId("rotation/spi"));
    assertThat(current.secretString()).isEqualTo(RecordingRotator.valueFor(versionId));
    assertThat(current.versionId()).isEqualTo(versionId);
    assertThat(sm.getSecretValue(r -> r.secretId("rotation/spi").versionStage("AWSPREVIOUS")).secretString())
        .isEqualTo("before");

    String rotators = adminGet("/_shunt/rotations").get("rotators").toString();
    assertThat(rotators).contains(RecordingRotator.NAME, FailingRotator.NAME, "shunt-password-rotator", "my-rotator");
  }

  @Test
  void aFailingStepLeavesThePendingVersionAndTheNextRotateSecretReattemptsIt() throws Exception {
    var created = sm.createSecret(r -> r.name("rotation/failing").secretString("still-current"));
    String versionId = sm.rotateSecret(r -> r.secretId("rotation/failing")
        .rotationLambdaARN(LAMBDA_PREFIX + FailingRotator.NAME)).versionId();

    JsonNode outcome = awaitOutcome(created.arn());
    assertThat(outcome.get("succeeded").asBoolean()).isFalse();
    assertThat(outcome.get("versionId").asText()).isEqualTo(versionId);
    assertThat(outcome.get("failedStep").asText()).isEqualTo("testSecret");
    assertThat(outcome.get("message").asText()).contains(FailingRotator.MESSAGE);

    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId(created.arn()));
    assertThat(described.versionIdsToStages()).containsOnly(
        Map.entry(created.versionId(), List.of("AWSCURRENT")), Map.entry(versionId, List.of("AWSPENDING")));
    assertThat(described.lastRotatedDate()).isNull();
    assertThat(described.rotationEnabled()).isTrue();
    assertThat(sm.getSecretValue(r -> r.secretId("rotation/failing")).secretString()).isEqualTo("still-current");
    assertThat(sm.getSecretValue(r -> r.secretId("rotation/failing").versionStage("AWSPENDING")).secretString())
        .isEqualTo(FailingRotator.valueFor(versionId));

    var error = expectError("InvalidRequestException", () -> sm.rotateSecret(r -> r.secretId("rotation/failing")));
    assertThat(message(error)).isEqualTo("A previous rotation isn't complete. That rotation will be reattempted.");
    // ...and it is: the same version goes through the steps again (and fails again).
    List<String> attempts = await("the reattempted rotation", () -> FailingRotator.testAttempts(created.arn()),
        list -> list.size() >= 2);
    assertThat(attempts).containsOnly(versionId);
    assertThat(sm.getSecretValue(r -> r.secretId("rotation/failing")).versionId()).isEqualTo(created.versionId());
  }

  @Test
  void aDueRotationAfterAFailureReattemptsTheSameVersion() {
    var created = sm.createSecret(r -> r.name("rotation/failing-scheduled").secretString("still-current"));
    String versionId = sm.rotateSecret(r -> r.secretId(created.arn())
        .rotationLambdaARN(LAMBDA_PREFIX + FailingRotator.NAME)
        .rotationRules(RotationRulesType.builder().automaticallyAfterDays(1L).build())).versionId();
    awaitOutcome(created.arn());

    shunt.backend().clock().advance(Duration.ofDays(2));
    await("a scheduled reattempt", () -> FailingRotator.testAttempts(created.arn()), list -> list.size() >= 2);
    // After a failure the scheduler waits an hour (on the backend's clock) before trying again.
    shunt.backend().clock().advance(Duration.ofHours(2));
    List<String> attempts = await("scheduled reattempts", () -> FailingRotator.testAttempts(created.arn()),
        list -> list.size() >= 3);
    assertThat(attempts).containsOnly(versionId);
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId(created.arn()));
    assertThat(described.versionIdsToStages()).containsOnly(
        Map.entry(created.versionId(), List.of("AWSCURRENT")), Map.entry(versionId, List.of("AWSPENDING")));
    assertThat(sm.listSecretVersionIds(r -> r.secretId(created.arn()).includeDeprecated(true)).versions())
        .hasSize(2);
    sm.cancelRotateSecret(r -> r.secretId(created.arn()));
  }

  // ---- HTTP callbacks ---------------------------------------------------------------------

  @Test
  void anHttpCallbackFromTheOptionRotatesLikeALambda() throws Exception {
    String oldValue = "{\"username\":\"svc\",\"password\":\"p0\"}";
    var created = sm.createSecret(r -> r.name("rotation/http").secretString(oldValue));
    String versionId = sm.rotateSecret(r -> r.secretId("rotation/http")
        .rotationLambdaARN(LAMBDA_PREFIX + "my-rotator")
        .rotationRules(RotationRulesType.builder().automaticallyAfterDays(15L).build())).versionId();

    DescribeSecretResponse described = awaitRotated(created.arn(), versionId);
    assertThat(described.versionIdsToStages()).containsOnly(
        Map.entry(versionId, List.of("AWSCURRENT")), Map.entry(created.versionId(), List.of("AWSPREVIOUS")));
    assertThat(callbacks.events(created.arn())).containsExactly(
        event(created.arn(), versionId, "createSecret"), event(created.arn(), versionId, "setSecret"),
        event(created.arn(), versionId, "testSecret"), event(created.arn(), versionId, "finishSecret"));
    JsonNode rotated = JSON.readTree(sm.getSecretValue(r -> r.secretId("rotation/http")).secretString());
    assertThat(rotated.get("username").asText()).isEqualTo("svc");
    assertThat(rotated.get("password").asText()).isNotEqualTo("p0").startsWith(LambdaLikeServer.PASSWORD_PREFIX);
    assertThat(callbacks.failures()).isEmpty();
  }

  @Test
  void anHttpCallbackRegisteredThroughTheAdminApiRotates() throws Exception {
    HttpResponse<String> registered = shunt.post("/_shunt/rotators", null,
        "{\"name\":\"posted-rotator\",\"url\":\"" + callbacks.url("/") + "\"}");
    assertThat(registered.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(registered.body()).get("rotators").toString()).contains("\"posted-rotator\"");

    var created = sm.createSecret(r -> r.name("rotation/posted").secretString("{\"password\":\"p0\"}"));
    String versionId = sm.rotateSecret(r -> r.secretId(created.arn())
        .rotationLambdaARN(LAMBDA_PREFIX + "posted-rotator")).versionId();
    awaitRotated(created.arn(), versionId);
    assertThat(callbacks.events(created.arn())).extracting(e -> e.get("Step"))
        .containsExactly("createSecret", "setSecret", "testSecret", "finishSecret");
    assertThat(callbacks.failures()).isEmpty();

    HttpResponse<String> refused = shunt.post("/_shunt/rotators", null,
        "{\"name\":\"ftp-rotator\",\"url\":\"ftp://127.0.0.1/\"}");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("ValidationException");
  }

  @Test
  void aCallbackGoesToThisMachineOnlyUnlessItsHostIsAllowed() throws Exception {
    for (String url : List.of("http://192.0.2.10/rotate", "http://169.254.169.254/latest/meta-data/",
        "http://[2001:db8::1]/", "http:///no-host")) {
      HttpResponse<String> refused = shunt.post("/_shunt/rotators", null,
          "{\"name\":\"elsewhere\",\"url\":\"" + url + "\"}");
      assertThat(refused.statusCode()).as(url).isEqualTo(400);
      assertThat(refused.body()).as(url).contains("ValidationException");
    }
    assertThat(adminGet("/_shunt/rotations").get("rotators").toString()).doesNotContain("elsewhere");

    try (BackendFixture allowing = BackendFixture.start(ShuntBackend.builder().option("outbound-hosts",
        "192.0.2.10"))) {
      HttpResponse<String> allowed = allowing.post("/_shunt/rotators", null,
          "{\"name\":\"allowed\",\"url\":\"http://192.0.2.10/rotate\"}");
      assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
      for (int i = 1; i < 100; i++) {
        assertThat(allowing.post("/_shunt/rotators", null, "{\"name\":\"r" + i + "\",\"url\":\""
            + callbacks.url("/") + "\"}").statusCode()).isEqualTo(200);
      }
      HttpResponse<String> tooMany = allowing.post("/_shunt/rotators", null,
          "{\"name\":\"one-too-many\",\"url\":\"" + callbacks.url("/") + "\"}");
      assertThat(tooMany.statusCode()).isEqualTo(400);
      assertThat(tooMany.body()).contains("At most 100 rotation callbacks");
    }
  }

  @Test
  void aCallbackAnswering500FailsTheRotationAndLeavesAwsPending() throws Exception {
    shunt.post("/_shunt/rotators", null, "{\"name\":\"fails-at-set\",\"url\":\"" + callbacks.url("/fail-set") + "\"}");
    var created = sm.createSecret(r -> r.name("rotation/http-500").secretString("{\"password\":\"p0\"}"));
    String versionId = sm.rotateSecret(r -> r.secretId(created.arn())
        .rotationLambdaARN(LAMBDA_PREFIX + "fails-at-set")).versionId();

    JsonNode outcome = awaitOutcome(created.arn());
    assertThat(outcome.get("succeeded").asBoolean()).isFalse();
    assertThat(outcome.get("failedStep").asText()).isEqualTo("setSecret");
    assertThat(outcome.get("message").asText()).contains("500");
    assertThat(callbacks.events(created.arn())).extracting(e -> e.get("Step"))
        .containsExactly("createSecret", "setSecret");

    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId(created.arn()));
    assertThat(described.versionIdsToStages()).containsOnly(
        Map.entry(created.versionId(), List.of("AWSCURRENT")), Map.entry(versionId, List.of("AWSPENDING")));
    assertThat(sm.getSecretValue(r -> r.secretId(created.arn())).secretString()).isEqualTo("{\"password\":\"p0\"}");
    assertThat(JSON.readTree(sm.getSecretValue(r -> r.secretId(created.arn()).versionStage("AWSPENDING"))
        .secretString()).get("password").asText()).startsWith(LambdaLikeServer.PASSWORD_PREFIX);
  }

  @Test
  void aCallbackFailingAtCreateSecretLeavesAwsPendingOnAnEmptyVersion() throws Exception {
    shunt.post("/_shunt/rotators", null,
        "{\"name\":\"fails-at-create\",\"url\":\"" + callbacks.url("/fail-create") + "\"}");
    var created = sm.createSecret(r -> r.name("rotation/http-create").secretString("v1"));
    String versionId = sm.rotateSecret(r -> r.secretId(created.arn())
        .rotationLambdaARN(LAMBDA_PREFIX + "fails-at-create")).versionId();

    JsonNode outcome = awaitOutcome(created.arn());
    assertThat(outcome.get("failedStep").asText()).isEqualTo("createSecret");
    // As RotateSecret documents: "the AWSPENDING staging label might be attached to an empty secret version".
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId(created.arn()));
    assertThat(described.versionIdsToStages()).containsOnly(
        Map.entry(created.versionId(), List.of("AWSCURRENT")), Map.entry(versionId, List.of("AWSPENDING")));
    expectError("ResourceNotFoundException",
        () -> sm.getSecretValue(r -> r.secretId(created.arn()).versionStage("AWSPENDING")));
    assertThat(sm.getSecretValue(r -> r.secretId(created.arn())).secretString()).isEqualTo("v1");
  }

  // ---- helpers ----------------------------------------------------------------------------

  private static Map<String, String> event(String secretId, String token, String step) {
    return Map.of("SecretId", secretId, "ClientRequestToken", token, "Step", step);
  }

  private static List<String> stagesOf(DescribeSecretResponse described, String versionId) {
    return described.versionIdsToStages().getOrDefault(versionId, List.of());
  }

  private static boolean hasStage(DescribeSecretResponse described, String stage) {
    return described.versionIdsToStages().values().stream().anyMatch(stages -> stages.contains(stage));
  }

  /** Polls DescribeSecret until {@code versionId} is AWSCURRENT, AWSPENDING is gone and LastRotatedDate is set. */
  private static DescribeSecretResponse awaitRotated(String secretArn, String versionId) {
    return await("rotation of " + secretArn + " to " + versionId, () -> {
      JsonNode outcome = outcome(secretArn);
      if (outcome.path("versionId").asText().equals(versionId) && !outcome.path("succeeded").asBoolean()) {
        fail("The rotation failed: " + outcome);
      }
      return sm.describeSecret(r -> r.secretId(secretArn));
    }, d -> stagesOf(d, versionId).contains("AWSCURRENT") && !hasStage(d, "AWSPENDING")
        && d.lastRotatedDate() != null);
  }

  /** Polls {@code /_shunt/rotations} until the last rotation of the secret has an outcome. */
  private static JsonNode awaitOutcome(String secretArn) {
    return await("an outcome for " + secretArn, () -> adminGet("/_shunt/rotations").path("lastRotations")
        .path(secretArn), JsonNode::isObject);
  }

  private static JsonNode outcome(String secretArn) {
    return adminGet("/_shunt/rotations").path("lastRotations").path(secretArn);
  }

  private static JsonNode adminGet(String path) {
    try {
      HttpResponse<String> response = shunt.get(path);
      assertThat(response.statusCode()).isEqualTo(200);
      return JSON.readTree(response.body());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Bounded polling (rotation is asynchronous, as in AWS): no assertion on how long it takes. */
  private static <T> T await(String what, Supplier<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    T last = probe.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        fail("Gave up waiting for " + what + "; last seen: " + last);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      last = probe.get();
    }
    return last;
  }

  /**
   * A rotation "Lambda" as a web service: each POSTed event runs the step the way AWS's
   * single-user rotation template does, through its own SDK client against Shunt. Path
   * {@code /fail-set} answers 500 to setSecret; {@code /fail-create} answers 500 to createSecret.
   */
  static final class LambdaLikeServer implements AutoCloseable {
    static final String PASSWORD_PREFIX = "from-callback-";
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final Map<String, List<Map<String, String>>> events = new ConcurrentHashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private volatile SecretsManagerClient secrets;

    LambdaLikeServer() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/", this::handle);
      server.setExecutor(executor);
      server.start();
    }

    String url(String path) {
      return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    void connect(SecretsManagerClient client) {
      this.secrets = client;
    }

    List<Map<String, String>> events(String secretId) {
      return List.copyOf(events.getOrDefault(secretId, List.of()));
    }

    /** Steps that failed unexpectedly (not a deliberate 500). */
    List<String> failures() {
      return List.copyOf(failures);
    }

    private void handle(HttpExchange exchange) throws IOException {
      int status = 200;
      String answer = "{}";
      try (InputStream body = exchange.getRequestBody()) {
        JsonNode event = JSON.readTree(body.readAllBytes());
        String arn = event.path("SecretId").asText();
        String token = event.path("ClientRequestToken").asText();
        String step = event.path("Step").asText();
        events.computeIfAbsent(arn, k -> new CopyOnWriteArrayList<>())
            .add(Map.of("SecretId", arn, "ClientRequestToken", token, "Step", step));
        String path = exchange.getRequestURI().getPath();
        if ((path.equals("/fail-set") && step.equals("setSecret"))
            || (path.equals("/fail-create") && step.equals("createSecret"))) {
          status = 500;
          answer = "{\"errorMessage\":\"deliberate failure\"}";
        } else {
          runStep(arn, token, step);
        }
      } catch (Exception e) {
        failures.add(e.toString());
        status = 500;
        answer = "{\"errorMessage\":\"" + e.getClass().getSimpleName() + "\"}";
      }
      byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }

    /** AWS's rotation template: check the version is being rotated, then do the step. */
    private void runStep(String arn, String token, String step) throws IOException {
      DescribeSecretResponse metadata = secrets.describeSecret(r -> r.secretId(arn));
      if (!Boolean.TRUE.equals(metadata.rotationEnabled())) {
        throw new IllegalStateException("Secret " + arn + " is not enabled for rotation");
      }
      Map<String, List<String>> versions = metadata.versionIdsToStages();
      if (!versions.containsKey(token)) {
        throw new IllegalStateException("Secret version " + token + " has no stage for rotation of " + arn);
      }
      if (versions.get(token).contains("AWSCURRENT")) {
        return;
      }
      if (!versions.get(token).contains("AWSPENDING")) {
        throw new IllegalStateException("Secret version " + token + " not set as AWSPENDING for rotation");
      }
      switch (step) {
        case "createSecret" -> {
          String current = secrets.getSecretValue(r -> r.secretId(arn).versionStage("AWSCURRENT")).secretString();
          try {
            secrets.getSecretValue(r -> r.secretId(arn).versionId(token).versionStage("AWSPENDING"));
          } catch (ResourceNotFoundException e) {
            ObjectNode value = (ObjectNode) JSON.readTree(current);
            String password = secrets.getRandomPassword(r -> r.excludePunctuation(true).passwordLength(20L))
                .randomPassword();
            value.put("password", PASSWORD_PREFIX + password);
            secrets.putSecretValue(r -> r.secretId(arn).clientRequestToken(token).secretString(value.toString())
                .versionStages("AWSPENDING"));
          }
        }
        case "setSecret" -> { }
        case "testSecret" -> secrets.getSecretValue(r -> r.secretId(arn).versionId(token).versionStage("AWSPENDING"));
        case "finishSecret" -> {
          String currentVersion = null;
          for (Map.Entry<String, List<String>> entry : versions.entrySet()) {
            if (entry.getValue().contains("AWSCURRENT")) {
              currentVersion = entry.getKey();
            }
          }
          String remove = currentVersion;
          secrets.updateSecretVersionStage(r -> r.secretId(arn).versionStage("AWSCURRENT").moveToVersionId(token)
              .removeFromVersionId(remove));
        }
        default -> throw new IllegalArgumentException("Invalid step parameter " + step);
      }
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}
