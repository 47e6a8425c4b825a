package dev.shunt.backend.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.Identity;
import java.time.Instant;
import java.util.List;

/**
 * One audited call, as it happened: who, what, where, when, the parameters and response already
 * stripped of what an audit record must not hold ({@link dev.shunt.backend.model.ServiceModel#recordedInput}),
 * the outcome, and what the service resolved. Rendered as a CloudTrail record by
 * {@link CloudTrailRecords}; its facts also go to the SERVER span and the response's
 * {@code x-shunt-*} headers.
 *
 * @param service the signing name: kms, secretsmanager or ssm
 * @param invokedBy the AWS service that made the call on the caller's behalf
 *     ({@code secretsmanager.amazonaws.com}), or null for the caller's own call
 * @param encryptionAlgorithm the KMS encryption algorithm the call used, or null
 * @param encryptionContextKeys the keys (never the values) of the call's encryption context
 * @param cache how a cache served the call ({@code hit}, {@code stale}, {@code miss}), or null
 * @param additionalEventData what CloudTrail records beside the request and response (RetireGrant's
 *     grant id), or null
 * @param invocationId the SDK's id of the call this request is an attempt of ({@code amz-sdk-invocation-id},
 *     the same on every retry), or null when the client sent none
 * @param attempt which attempt of that call the request is ({@code amz-sdk-request: attempt=N}), or 0 when
 *     the client did not say
 * @param nodeId the Shunt node that served the call (node-id), or null
 */
public record AuditEvent(String eventId, String requestId, Instant time, String service, String operation,
    Identity identity, String sourceIp, String userAgent, ObjectNode requestParameters,
    ObjectNode responseElements, String errorCode, String errorMessage, boolean readOnly, String invokedBy,
    List<AuditFacts.Resource> resources, String keyArn, String keySpec, String encryptionAlgorithm,
    List<String> encryptionContextKeys, String secretArn, String parameterName, String cache,
    ObjectNode additionalEventData, String invocationId, int attempt, String nodeId) {

  /** An event of a request that did not say which SDK call and attempt it was. */
  public AuditEvent(String eventId, String requestId, Instant time, String service, String operation,
      Identity identity, String sourceIp, String userAgent, ObjectNode requestParameters,
      ObjectNode responseElements, String errorCode, String errorMessage, boolean readOnly, String invokedBy,
      List<AuditFacts.Resource> resources, String keyArn, String keySpec, String encryptionAlgorithm,
      List<String> encryptionContextKeys, String secretArn, String parameterName, String cache) {
    this(eventId, requestId, time, service, operation, identity, sourceIp, userAgent, requestParameters,
        responseElements, errorCode, errorMessage, readOnly, invokedBy, resources, keyArn, keySpec, encryptionAlgorithm,
        encryptionContextKeys, secretArn, parameterName, cache, null, null, 0, null);
  }

  /** What the call came to: {@code allowed}, {@code denied} (access denied) or {@code throttled}. */
  public String decision() {
    return decision(errorCode);
  }

  public static String decision(String errorCode) {
    if (errorCode == null) {
      return "allowed";
    }
    return switch (errorCode) {
      case "AccessDeniedException", "AccessDenied" -> "denied";
      case "ThrottlingException" -> "throttled";
      default -> "allowed";
    };
  }
}
