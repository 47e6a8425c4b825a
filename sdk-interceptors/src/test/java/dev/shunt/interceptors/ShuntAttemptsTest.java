package dev.shunt.interceptors;

import static dev.shunt.interceptors.ShuntAttempts.Outcome.CLIENT_ERROR;
import static dev.shunt.interceptors.ShuntAttempts.Outcome.IO_ERROR;
import static dev.shunt.interceptors.ShuntAttempts.Outcome.OK;
import static dev.shunt.interceptors.ShuntAttempts.Outcome.SERVER_ERROR;
import static dev.shunt.interceptors.ShuntAttempts.Outcome.THROTTLED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.interceptors.ShuntAttempts.Attempt;
import java.net.SocketTimeoutException;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;

/** The attempt record: how attempts are classified, measured and told. */
class ShuntAttemptsTest {
  private static final long MS = 1_000_000;
  private static final String THROTTLING_HEADER =
      "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/";

  private static ShuntAttempts call() {
    return new ShuntAttempts(ShuntClientStats.operation("KMS", "Decrypt"), new Object());
  }

  private static SdkHttpResponse response(int status, String errorType) {
    SdkHttpResponse.Builder response = SdkHttpResponse.builder().statusCode(status);
    if (errorType != null) {
      response.putHeader("X-Amzn-ErrorType", errorType);
    }
    return response.build();
  }

  @Test
  void aRetriedCallIsToldAttemptByAttempt() {
    assertThat(ShuntAttempts.story("KMS.Decrypt", List.of(new Attempt(1, THROTTLED, 400, "ThrottlingException", 0, 3),
        new Attempt(2, OK, 200, null, 412, 2)), false))
        .isEqualTo("KMS.Decrypt: attempt 1 ThrottlingException, waited 412 ms, attempt 2 OK");
    assertThat(ShuntAttempts.story("SecretsManager.GetSecretValue", List.of(
        new Attempt(1, THROTTLED, 400, "ThrottlingException", 0, 3),
        new Attempt(2, THROTTLED, 400, "ThrottlingException", 87, 2),
        new Attempt(3, THROTTLED, 400, "ThrottlingException", 1503, 2)), true))
        .isEqualTo("SecretsManager.GetSecretValue: attempt 1 ThrottlingException, waited 87 ms, attempt 2 "
            + "ThrottlingException, waited 1503 ms, attempt 3 ThrottlingException, gave up");
  }

  @Test
  void unknownDelaysAreLeftOutAndOutcomesWithoutACodeAreNamed() {
    assertThat(ShuntAttempts.story("SSM.GetParameter", List.of(new Attempt(1, IO_ERROR, 0, null, 0, -1),
        new Attempt(2, SERVER_ERROR, 503, null, -1, 4), new Attempt(3, THROTTLED, 429, null, 20, 1),
        new Attempt(4, IO_ERROR, 0, "SocketTimeoutException", 40, 1000)), true))
        .isEqualTo("SSM.GetParameter: attempt 1 I/O error, attempt 2 HTTP 503, waited 20 ms, attempt 3 HTTP 429, "
            + "waited 40 ms, attempt 4 SocketTimeoutException, gave up");
    assertThat(ShuntAttempts.story("KMS.Encrypt", List.of(), false)).isEqualTo("KMS.Encrypt: no attempt");
  }

  @Test
  void throttlingIsWhatTheSdkCallsThrottling() {
    for (String code : new String[] {"Throttling", "ThrottlingException", "ThrottledException",
        "RequestThrottledException", "RequestThrottled", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "SlowDown", "EC2ThrottledException"}) {
      assertThat(ShuntAttempts.isThrottling(code)).as(code).isTrue();
      assertThat(ShuntAttempts.classify(400, code)).as(code).isEqualTo(THROTTLED);
    }
    // KMS's and Secrets Manager's resource quotas: no retry helps, the SDK does not retry them.
    assertThat(ShuntAttempts.isThrottling("LimitExceededException")).isFalse();
    assertThat(ShuntAttempts.isThrottling("throttlingexception")).isFalse();
    assertThat(ShuntAttempts.isThrottling(null)).isFalse();
    assertThat(ShuntAttempts.classify(429, null)).isEqualTo(THROTTLED);
    assertThat(ShuntAttempts.classify(400, "LimitExceededException")).isEqualTo(CLIENT_ERROR);
    assertThat(ShuntAttempts.classify(500, "KMSInternalException")).isEqualTo(SERVER_ERROR);
    assertThat(ShuntAttempts.classify(503, null)).isEqualTo(SERVER_ERROR);
    assertThat(ShuntAttempts.classify(200, null)).isEqualTo(OK);
    assertThat(THROTTLED.retryable()).isTrue();
    assertThat(SERVER_ERROR.retryable()).isTrue();
    assertThat(IO_ERROR.retryable()).isTrue();
    assertThat(CLIENT_ERROR.retryable()).isFalse();
    assertThat(OK.retryable()).isFalse();
  }

  @Test
  void theErrorCodeIsTheHeaderBeforeItsColon() {
    assertThat(ShuntAttempts.errorCode(THROTTLING_HEADER)).isEqualTo("ThrottlingException");
    assertThat(ShuntAttempts.errorCode("NotFoundException")).isEqualTo("NotFoundException");
    assertThat(ShuntAttempts.errorCode("com.amazonaws.kms#DisabledException:http://x/")).isEqualTo("DisabledException");
    assertThat(ShuntAttempts.errorCode("")).isNull();
    assertThat(ShuntAttempts.errorCode(":http://x")).isNull();
    assertThat(ShuntAttempts.errorCode(null)).isNull();
  }

  @Test
  void eachAttemptHasItsOutcomeDurationAndTheDelayBeforeIt() {
    ShuntAttempts call = call();
    call.attemptStarted(1000 * MS);
    call.answered(1005 * MS, response(400, THROTTLING_HEADER));
    call.attemptStarted(1417 * MS);
    call.answered(1420 * MS, response(200, null));
    assertThat(call.end(1421 * MS, null)).isTrue();
    assertThat(call.end(1422 * MS, new IllegalStateException())).as("ends once").isFalse();
    assertThat(call.attempts()).containsExactly(new Attempt(1, THROTTLED, 400, "ThrottlingException", 0, 5),
        new Attempt(2, OK, 200, null, 412, 3));
    assertThat(call.succeeded()).isTrue();
    assertThat(call.gaveUp()).isFalse();
    assertThat(call.operation()).isEqualTo("KMS.Decrypt");
    assertThat(call.story()).isEqualTo("KMS.Decrypt: attempt 1 ThrottlingException, waited 412 ms, attempt 2 OK");
  }

  @Test
  void anAttemptWithoutAnAnswerFailedOnIo() {
    ShuntAttempts call = call();
    call.attemptStarted(0);
    call.attemptStarted(300 * MS);
    call.answered(302 * MS, response(200, null));
    call.end(303 * MS, null);
    assertThat(call.attempts()).containsExactly(new Attempt(1, IO_ERROR, 0, null, 0, -1),
        new Attempt(2, OK, 200, null, -1, 2));
    assertThat(call.story()).isEqualTo("KMS.Decrypt: attempt 1 I/O error, attempt 2 OK");
  }

  @Test
  void aSuccessfulAnswerFollowedByAnotherAttemptWasNotReadWhole() {
    ShuntAttempts call = call();
    call.attemptStarted(0);
    call.answered(2 * MS, response(200, null));
    call.attemptStarted(50 * MS);
    call.answered(51 * MS, response(200, null));
    call.end(52 * MS, null);
    assertThat(call.attempts()).extracting(Attempt::outcome).containsExactly(IO_ERROR, OK);
    assertThat(call.attempts().get(1).delayBeforeMillis()).isEqualTo(48);
  }

  @Test
  void aCallThatFailsAfterARetryableOutcomeGaveUpAndNamesItsIoFailure() {
    ShuntAttempts call = call();
    call.attemptStarted(0);
    call.answered(1 * MS, response(503, null));
    call.attemptStarted(101 * MS);
    call.end(1101 * MS, SdkClientException.create("Unable to execute HTTP request",
        new SocketTimeoutException("Read timed out")));
    assertThat(call.attempts()).containsExactly(new Attempt(1, SERVER_ERROR, 503, null, 0, 1),
        new Attempt(2, IO_ERROR, 0, "SocketTimeoutException", 100, 1000));
    assertThat(call.gaveUp()).isTrue();
    assertThat(call.succeeded()).isFalse();
    assertThat(call.story())
        .isEqualTo("KMS.Decrypt: attempt 1 HTTP 503, waited 100 ms, attempt 2 SocketTimeoutException, gave up");
  }

  @Test
  void aCallThatFailsOnAnErrorNoRetryCuresDidNotGiveUp() {
    ShuntAttempts call = call();
    call.attemptStarted(0);
    call.answered(1 * MS, response(400, "AccessDeniedException:"));
    call.end(2 * MS, new RuntimeException("denied"));
    assertThat(call.attempts()).containsExactly(new Attempt(1, CLIENT_ERROR, 400, "AccessDeniedException", 0, 1));
    assertThat(call.gaveUp()).isFalse();
    assertThat(call.succeeded()).isFalse();

    ShuntAttempts never = call();
    never.end(0, new RuntimeException("no credentials"));
    assertThat(never.attempts()).isEmpty();
    assertThat(never.gaveUp()).isFalse();
  }

  @Test
  void nothingIsRecordedAfterTheEnd() {
    ShuntAttempts call = call();
    call.attemptStarted(0);
    call.answered(1 * MS, response(200, null));
    call.end(2 * MS, null);
    call.attemptStarted(3 * MS);
    call.answered(4 * MS, response(500, null));
    assertThat(call.attempts()).hasSize(1);
  }
}
