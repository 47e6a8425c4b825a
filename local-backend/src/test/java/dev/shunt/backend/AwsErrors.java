package dev.shunt.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** Assertions on the AWS errors an SDK call surfaces. */
public final class AwsErrors {
  private AwsErrors() {}

  /** Runs the call, asserts it failed with this AWS error code and HTTP status, and returns the error. */
  public static AwsServiceException expectError(String code, int status, ThrowingCallable call) {
    AwsServiceException error = catchThrowableOfType(AwsServiceException.class, call);
    assertThat(error).as("expected %s", code).isNotNull();
    assertThat(error.awsErrorDetails().errorCode()).isEqualTo(code);
    assertThat(error.statusCode()).isEqualTo(status);
    assertThat(error.requestId()).isNotBlank();
    return error;
  }

  public static AwsServiceException expectError(String code, ThrowingCallable call) {
    return expectError(code, 400, call);
  }

  /** The message AWS sent (the SDK appends its own suffix to getMessage()). */
  public static String message(AwsServiceException error) {
    return error.awsErrorDetails().errorMessage();
  }
}
