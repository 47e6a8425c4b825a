package dev.shunt.backend.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * What the upstream answered (its status, body bytes, content type and request id, unchanged),
 * or the local error standing for an answer that never came ({@code requestId} then null).
 * {@code errorCode} is the bare AWS error code of a failed answer, null on success.
 */
public record UpstreamAnswer(int status, byte[] body, String contentType, String requestId, int attempts,
    String errorCode) {
  /** The content type of AWS JSON 1.1, which Shunt's own error answers use. */
  public static final String AWS_JSON = "application/x-amz-json-1.1";
  private static final ObjectMapper JSON = new ObjectMapper();

  public UpstreamAnswer {
    body = body == null ? new byte[0] : body;
  }

  /** An answer made here, never sent upstream or never answered: {@code {"__type":..,"message":..}}. */
  static UpstreamAnswer local(int status, String errorCode, String message, int attempts) {
    ObjectNode error = JSON.createObjectNode().put("__type", errorCode).put("message", message);
    return new UpstreamAnswer(status, error.toString().getBytes(StandardCharsets.UTF_8), AWS_JSON, null,
        attempts, errorCode);
  }

  /** Whether the status is 2xx. */
  public boolean succeeded() {
    return status >= 200 && status < 300;
  }

  @Override
  public String toString() {
    // The body may hold plaintext or secret values: its size only.
    return "UpstreamAnswer[status=" + status + ", errorCode=" + errorCode + ", requestId=" + requestId
        + ", attempts=" + attempts + ", contentType=" + contentType + ", body=" + body.length + " bytes]";
  }
}
