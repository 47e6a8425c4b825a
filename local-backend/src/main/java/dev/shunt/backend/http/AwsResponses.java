package dev.shunt.backend.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.audit.AuditEvent;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.UriEncoding;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * Builds the HTTP responses of the AWS JSON 1.1 protocol: the success body, and the one error
 * envelope ({@code {"__type": ..., "message": ...}} with {@code x-amzn-RequestId} and
 * {@code x-amzn-ErrorType}) that every error of every service goes through.
 */
public final class AwsResponses {
  static final AsciiString AMZ_JSON = AsciiString.cached("application/x-amz-json-1.1");
  static final AsciiString REQUEST_ID = AsciiString.cached("x-amzn-RequestId");
  static final AsciiString ERROR_TYPE = AsciiString.cached("x-amzn-ErrorType");
  private static final AsciiString APPLICATION_JSON = AsciiString.cached("application/json");
  private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain");
  private static final byte[] EMPTY_OBJECT = {'{', '}'};
  private static final AsciiString PRINCIPAL = AsciiString.cached("x-shunt-principal-arn");
  private static final AsciiString DECISION = AsciiString.cached("x-shunt-decision");
  private static final AsciiString KEY_ARN = AsciiString.cached("x-shunt-key-arn");
  private static final AsciiString KEY_SPEC = AsciiString.cached("x-shunt-key-spec");
  private static final AsciiString ENCRYPTION_ALGORITHM = AsciiString.cached("x-shunt-encryption-algorithm");
  private static final AsciiString CONTEXT_KEYS = AsciiString.cached("x-shunt-encryption-context-keys");
  private static final AsciiString SECRET_ARN = AsciiString.cached("x-shunt-secret-arn");
  private static final AsciiString PARAMETER_NAME = AsciiString.cached("x-shunt-parameter-name");
  private static final AsciiString CACHE = AsciiString.cached("x-shunt-cache");

  /** The longest fact a response header carries: an ARN with a 2048-character parameter name fits. */
  private static final int MAX_FACT_LENGTH = 2200;

  private AwsResponses() {}

  static FullHttpResponse success(ByteBufAllocator alloc, JsonNode body, String requestId) {
    if (body == null) {
      return build(alloc, HttpResponseStatus.OK, EMPTY_OBJECT, requestId, AMZ_JSON);
    }
    return written(alloc, HttpResponseStatus.OK, body, requestId, AMZ_JSON);
  }

  static FullHttpResponse error(ByteBufAllocator alloc, AwsException error, String requestId) {
    if (error instanceof UpstreamCalls.PassedOn upstream) {
      // The upstream's own answer, as it came: only the request id is Shunt's.
      FullHttpResponse response = build(HttpResponseStatus.valueOf(error.httpStatus()),
          alloc.buffer(upstream.body().length).writeBytes(upstream.body()), requestId, AMZ_JSON);
      response.headers().set(ERROR_TYPE, error.code());
      return response;
    }
    ObjectNode body = Json.object();
    body.put("__type", error.code());
    if (error.getMessage() != null) {
      body.put("message", error.getMessage());
    }
    FullHttpResponse response = written(alloc, HttpResponseStatus.valueOf(error.httpStatus()), body, requestId,
        AMZ_JSON);
    response.headers().set(ERROR_TYPE, error.code());
    return response;
  }

  /** A JSON body written straight into the response buffer. */
  private static FullHttpResponse written(ByteBufAllocator alloc, HttpResponseStatus status, JsonNode body,
      String requestId, AsciiString contentType) {
    ByteBuf content = alloc.buffer(256);
    try {
      Json.write(body, new ByteBufOutputStream(content));
    } catch (RuntimeException e) {
      content.release();
      throw e;
    }
    return build(status, content, requestId, contentType);
  }

  /**
   * What the backend resolved for a request, for the client's span (Shunt's interceptor reads
   * these): who called, the decision, the key, algorithm and encryption context keys (never
   * values), the secret, the parameter.
   */
  static void auditHeaders(HttpHeaders headers, AuditEvent event) {
    setIfSafe(headers, PRINCIPAL, event.identity().principalArn());
    setIfSafe(headers, DECISION, event.decision());
    if (event.keyArn() != null) {
      setIfSafe(headers, KEY_ARN, event.keyArn());
      setIfSafe(headers, KEY_SPEC, event.keySpec());
    }
    setIfSafe(headers, ENCRYPTION_ALGORITHM, event.encryptionAlgorithm());
    if (!event.encryptionContextKeys().isEmpty()) {
      StringBuilder keys = new StringBuilder();
      for (String key : event.encryptionContextKeys()) {
        if (keys.length() > 0) {
          keys.append(',');
        }
        UriEncoding.append(keys, key, false);
      }
      setIfSafe(headers, CONTEXT_KEYS, keys.toString());
    }
    setIfSafe(headers, SECRET_ARN, event.secretArn());
    setIfSafe(headers, PARAMETER_NAME, event.parameterName());
    setIfSafe(headers, CACHE, event.cache());
  }

  /**
   * Some facts come from the request as sent (an unvalidated algorithm name, a parameter name
   * that failed validation): a header gets only a value of visible ASCII of sane length, since a
   * CR, LF or NUL would make the codec drop the whole answer, and a long one would bloat it.
   */
  private static void setIfSafe(HttpHeaders headers, AsciiString name, String value) {
    if (value == null || value.isEmpty() || value.length() > MAX_FACT_LENGTH) {
      return;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < ' ' || c > '~') {
        return;
      }
    }
    headers.set(name, value);
  }

  /** A bare status with a short text body, as a failing load balancer sends (fault injection). */
  static FullHttpResponse bare(ByteBufAllocator alloc, HttpResponseStatus status, String requestId) {
    return build(alloc, status, status.reasonPhrase().getBytes(java.nio.charset.StandardCharsets.US_ASCII), requestId,
        TEXT_PLAIN);
  }

  static FullHttpResponse json(ByteBufAllocator alloc, HttpResponseStatus status, JsonNode body, String requestId) {
    return written(alloc, status, body, requestId, APPLICATION_JSON);
  }

  private static FullHttpResponse build(ByteBufAllocator alloc, HttpResponseStatus status, byte[] bytes,
      String requestId, AsciiString contentType) {
    return build(status, bytes.length == 0 ? Unpooled.EMPTY_BUFFER : alloc.buffer(bytes.length).writeBytes(bytes),
        requestId, contentType);
  }

  private static FullHttpResponse build(HttpResponseStatus status, ByteBuf content, String requestId,
      AsciiString contentType) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    HttpHeaders headers = response.headers();
    headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    headers.set(REQUEST_ID, requestId);
    headers.set(HttpHeaderNames.DATE, HttpDates.now());
    return response;
  }
}
