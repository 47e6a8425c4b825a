package dev.shunt.backend.upstream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Set;

/** Reads an upstream answer's AWS error code and tells which answers are worth another attempt. */
final class UpstreamErrors {
  /** The SDK's throttling codes (STANDARD mode): retried, and after the longer throttling backoff. */
  static final Set<String> THROTTLING = Set.of("Throttling", "ThrottlingException", "ThrottledException",
      "ProvisionedThroughputExceededException", "SlowDown", "TooManyRequestsException", "RequestLimitExceeded",
      "BandwidthLimitExceeded", "RequestThrottled", "RequestThrottledException");
  private static final Set<Integer> RETRYABLE_STATUS = Set.of(429, 500, 502, 503, 504);
  private static final JsonFactory JSON = new JsonFactory();

  private UpstreamErrors() {}

  /**
   * The bare error code of a failed answer: the {@code x-amzn-ErrorType} header's, else the
   * body's {@code __type} (or {@code code}); null if neither says.
   */
  static String errorCode(String errorTypeHeader, byte[] body) {
    String code = bare(errorTypeHeader);
    return code != null ? code : bare(bodyCode(body));
  }

  static boolean isThrottling(int status, String errorCode) {
    return status == 429 || (errorCode != null && THROTTLING.contains(errorCode));
  }

  static boolean isRetryable(int status, String errorCode) {
    return RETRYABLE_STATUS.contains(status) || isThrottling(status, errorCode);
  }

  /** {@code com.amazonaws.kms#ThrottlingException} and {@code ThrottlingException:http://...} are ThrottlingException. */
  static String bare(String code) {
    if (code == null) {
      return null;
    }
    String bare = code;
    int colon = bare.indexOf(':');
    if (colon >= 0) {
      bare = bare.substring(0, colon);
    }
    bare = bare.substring(bare.lastIndexOf('#') + 1).trim();
    return bare.isEmpty() ? null : bare;
  }

  /** The top-level {@code __type} or {@code code} of a JSON object; streamed, so nothing else is built. */
  private static String bodyCode(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    String code = null;
    try (JsonParser parser = JSON.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.getCurrentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_STRING && name.equals("__type")) {
          return parser.getText();
        }
        if (value == JsonToken.VALUE_STRING && (name.equals("code") || name.equals("Code")) && code == null) {
          code = parser.getText();
        } else {
          parser.skipChildren();
        }
      }
    } catch (IOException e) {
      // Not JSON (an HTML error page from a proxy, say): the status alone decides.
      return code;
    }
    return code;
  }
}
