package dev.shunt.junit5;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One request the test backend served, as its CloudTrail-shaped audit record tells it: who
 * (principal, account, access key), what (service, operation, the key, secret or parameter it
 * used, the encryption context), where (Region), how it ended (error code), and which attempt of
 * which SDK call it was. Every attempt of a retried call is a request of its own.
 *
 * @param number the call's place in the test's audit, from 1
 * @param service the signing name: {@code kms}, {@code secretsmanager} or {@code ssm}
 * @param operation the operation, e.g. {@code Decrypt}
 * @param principalArn the caller: {@code arn:aws:iam::000000000000:root}, a user's or a role session's ARN
 * @param keyArn the ARN of the KMS key the call used (resolved from the alias or id it named), or null
 * @param secretArn the ARN of the secret the call named, or null
 * @param parameterName the name of the (first) parameter the call named, or null
 * @param resources the ARNs of the resources the call named (keys, secrets, parameters)
 * @param encryptionContext the call's encryption context (key and value, as CloudTrail keeps it), or empty
 * @param requestParameters the request as CloudTrail records it ({@code keyId}, {@code secretId}, {@code name}...):
 *     never a plaintext, ciphertext, secret or parameter value
 * @param errorCode the AWS error code the call was answered with ({@code ThrottlingException},
 *     {@code NotFoundException}, {@code HTTP 503}, {@code ConnectionReset}), or null when it succeeded
 * @param invokedBy the service that made the call for the caller ({@code secretsmanager.amazonaws.com}
 *     encrypting a secret under a KMS key), or null for the caller's own call
 * @param cache how a response cache served the call ({@code hit}, {@code stale}, {@code miss}), or null
 * @param invocationId the SDK's id of the call this request is an attempt of (the same on every retry), or null
 * @param attempt which attempt of that call it was (1 for the first), or 0 when the client did not say
 */
public record AuditCall(int number, Instant time, String service, String operation, String principalArn,
    String accountId, String accessKeyId, String region, String keyArn, String secretArn, String parameterName,
    List<String> resources, Map<String, String> encryptionContext, Map<String, Object> requestParameters,
    String errorCode, String errorMessage, String invokedBy, String cache, String invocationId, int attempt,
    String requestId) {

  public AuditCall {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(operation, "operation");
    resources = resources == null ? List.of() : List.copyOf(resources);
    encryptionContext = encryptionContext == null ? Map.of() : Map.copyOf(encryptionContext);
    requestParameters = requestParameters == null ? Map.of() : java.util.Collections.unmodifiableMap(
        new java.util.LinkedHashMap<>(requestParameters));
  }

  /** Whether the call was throttled ({@code ThrottlingException}, by a quota or an injected fault). */
  public boolean throttled() {
    return "ThrottlingException".equals(errorCode);
  }

  /** Whether the call failed: an AWS error, a bare HTTP status or a reset connection. */
  public boolean failed() {
    return errorCode != null;
  }

  /** Whether the request was an SDK's retry (its second attempt or later). */
  public boolean retry() {
    return attempt > 1;
  }

  /** Whether a response cache answered it (a hit, or a stale answer when the refresh failed). */
  public boolean fromCache() {
    return "hit".equals(cache) || "stale".equals(cache);
  }

  /** A request parameter as CloudTrail records it ({@code keyId}, {@code secretId}, {@code name}), if text. */
  public String parameter(String name) {
    Object value = requestParameters.get(name);
    return value instanceof String text ? text : null;
  }

  /**
   * The call on one line, as failure messages list it:
   * {@code #3 kms:Decrypt key=arn:aws:kms:...:key/1234... by arn:aws:iam::000000000000:root context={tenant=acme} -> ThrottlingException (attempt 2)}.
   */
  public String describe() {
    StringBuilder line = new StringBuilder("#").append(number).append(' ').append(service).append(':')
        .append(operation);
    if (keyArn != null) {
      line.append(" key=").append(keyArn);
    } else if (parameter("keyId") != null) {
      line.append(" keyId=").append(parameter("keyId"));
    }
    if (secretArn != null) {
      line.append(" secret=").append(secretArn);
    } else if (parameter("secretId") != null) {
      line.append(" secretId=").append(parameter("secretId"));
    }
    if (parameterName != null) {
      line.append(" parameter=").append(parameterName);
    } else if (service.equals("ssm") && parameter("name") != null) {
      line.append(" name=").append(parameter("name"));
    } else if (service.equals("ssm") && requestParameters.get("names") instanceof List<?> names) {
      line.append(" names=").append(names);
    }
    if (!encryptionContext.isEmpty()) {
      line.append(" context=").append(new java.util.TreeMap<>(encryptionContext));
    }
    line.append(" by ").append(principalArn);
    if (invokedBy != null) {
      line.append(" via ").append(invokedBy);
    }
    if (cache != null) {
      line.append(" [cache ").append(cache).append(']');
    }
    line.append(" -> ").append(errorCode == null ? "OK" : errorCode);
    if (attempt > 1) {
      line.append(" (attempt ").append(attempt).append(')');
    }
    return line.toString();
  }

  @Override
  public String toString() {
    return describe();
  }
}
