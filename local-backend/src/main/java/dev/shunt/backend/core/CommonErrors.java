package dev.shunt.backend.core;

/** The errors every AWS JSON service shares, spelled as the services spell them. */
public final class CommonErrors {
  /** Secrets Manager's and SSM's throttling error. */
  public static final AwsException RATE_EXCEEDED = new AwsException("ThrottlingException", "Rate exceeded");

  private CommonErrors() {}

  public static AwsException serialization(String message) {
    return new AwsException("SerializationException", message);
  }

  public static AwsException validation(String message) {
    return new AwsException("ValidationException", message);
  }

  public static AwsException unknownOperation(String target) {
    return new AwsException("UnknownOperationException", target == null || target.isEmpty()
        ? "Missing X-Amz-Target header" : isPlainName(target) ? "Unknown operation " + target : "Unknown operation");
  }

  /** Whether a name the client sent may be repeated in a message: short, letters, digits, dots and underscores. */
  private static boolean isPlainName(String name) {
    if (name.length() > 128) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  public static AwsException internalFailure() {
    return new AwsException("InternalFailure",
        "The request processing has failed because of an unknown error, exception or failure.", 500);
  }

  public static AwsException requestTooLarge(int limit) {
    return new AwsException("RequestEntityTooLargeException",
        "Request body is larger than the " + limit + " byte limit", 413);
  }
}
