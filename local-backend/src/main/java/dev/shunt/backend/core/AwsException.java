package dev.shunt.backend.core;

/**
 * An error as AWS reports it: the error code that becomes {@code __type}, the message, and the
 * HTTP status (400 for the caller's faults, 5xx for the service's). Carries no stack trace: it is
 * a response, not a bug, and it is built on hot paths.
 */
public class AwsException extends RuntimeException {
  private final String code;
  private final int httpStatus;

  public AwsException(String code, String message) {
    this(code, message, 400);
  }

  public AwsException(String code, String message, int httpStatus) {
    super(message, null, false, false);
    this.code = code;
    this.httpStatus = httpStatus;
  }

  /** The AWS error code, e.g. {@code NotFoundException}. */
  public String code() {
    return code;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
