package dev.shunt.backend.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.RequestIds;
import dev.shunt.backend.model.ServiceModel;
import dev.shunt.backend.stats.LiveStats;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The one audit emitter: every AWS request the backend routes becomes an {@link AuditEvent}
 * (a CloudTrail record in the {@link AuditLog}), a SERVER span and metrics
 * ({@link AuditTelemetry}); a KMS key that Secrets Manager or SSM used for the caller becomes
 * an event of its own, as AWS records it ({@code invokedBy} the service).
 */
public final class Auditor {
  /** KMS operations that change nothing: CloudTrail marks them read-only and records no response. */
  private static final Set<String> KMS_READ_ONLY = Set.of("Encrypt", "Decrypt", "GenerateDataKey",
      "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "GenerateMac",
      "VerifyMac", "GenerateRandom", "Sign", "Verify", "DeriveSharedSecret", "ReEncrypt");
  private static final String[] ALGORITHM_FIELDS = {"EncryptionAlgorithm", "SigningAlgorithm", "MacAlgorithm",
      "KeyAgreementAlgorithm"};
  private static final String[] CONTEXT_FIELDS = {"EncryptionContext", "SourceEncryptionContext",
      "DestinationEncryptionContext"};

  private final AuditLog log;
  private final AuditTelemetry telemetry;
  private final LiveStats stats;
  private final String nodeId;

  public Auditor(AuditLog log, AuditTelemetry telemetry) {
    this(log, telemetry, null, null);
  }

  /**
   * @param stats the live statistics every served request is counted in (null: none)
   * @param nodeId the node every event names (null: none)
   */
  public Auditor(AuditLog log, AuditTelemetry telemetry, LiveStats stats, String nodeId) {
    this.log = log;
    this.telemetry = telemetry;
    this.stats = stats;
    this.nodeId = nodeId;
  }

  public AuditLog log() {
    return log;
  }

  /** See {@link AuditTelemetry#upstreamAttempt}. */
  public void upstreamAttempt(AuditTelemetry.ServerSpan span, String rpcService, String operation, int number,
      int status, String errorCode, long elapsedMillis, long backoffMillis) {
    telemetry.upstreamAttempt(span, rpcService, operation, number, status, errorCode, elapsedMillis, backoffMillis);
  }

  /** Starts a request's SERVER span (null when nothing records spans). */
  public AuditTelemetry.ServerSpan begin(String displayName, HttpHeaders headers) {
    return telemetry.start(displayName, headers);
  }

  /** What {@link #end} needs to know of a request that was served (or failed). */
  public record Served(ServiceModel model, String operation, Identity identity, String requestId, Instant time,
      String sourceIp, String userAgent, ObjectNode input, ObjectNode output, String errorCode, String errorMessage,
      int httpStatus, long delayMillis, AuditFacts facts, String invocationId, int attempt) {

    /** A request that did not say which SDK call and attempt it was. */
    public Served(ServiceModel model, String operation, Identity identity, String requestId, Instant time,
        String sourceIp, String userAgent, ObjectNode input, ObjectNode output, String errorCode, String errorMessage,
        int httpStatus, long delayMillis, AuditFacts facts) {
      this(model, operation, identity, requestId, time, sourceIp, userAgent, input, output, errorCode, errorMessage,
          httpStatus, delayMillis, facts, null, 0);
    }
  }

  /**
   * Records a served request: its event (null when the caller was never known, e.g. a bad
   * signature: no record then, but the span and metrics still count it), span and metrics.
   */
  public AuditEvent end(AuditTelemetry.ServerSpan span, long startNanos, Served served) {
    AuditEvent event = null;
    if (served.identity != null) {
      event = event(served);
      log.add(event);
      for (AuditFacts.KeyUse use : served.facts.keyUses()) {
        log.add(keyUseEvent(served, use));
        if (served.errorCode == null) {
          telemetry.keyUsed(use.keyArn(), use.operation(), use.viaService() + ".amazonaws.com");
        }
      }
      if (event.keyArn() != null && served.errorCode == null && served.model.signingName().equals("kms")) {
        telemetry.keyUsed(event.keyArn(), served.operation, null);
      }
    }
    long elapsedNanos = System.nanoTime() - startNanos;
    telemetry.end(span, served.model.sdkName(), served.operation, event, served.errorCode, served.httpStatus,
        served.delayMillis, elapsedNanos);
    if (stats != null) {
      // Not the Served record itself: passed on, it would no longer be scalar-replaced (72 bytes a request).
      count(served.model.signingName(), served.operation, served.errorCode, served.identity, served.facts,
          elapsedNanos / 1000 + served.delayMillis * 1000, served.time.toEpochMilli() + elapsedNanos / 1_000_000);
    }
    return event;
  }

  /** Counts the request in the live statistics: its outcome, latency (injected delay included) and key uses. */
  private void count(String service, String operation, String errorCode, Identity identity, AuditFacts facts,
      long micros, long answeredAtMillis) {
    AuditFacts.Refusal refused = facts.refused();
    LiveStats.Outcome outcome = errorCode == null ? LiveStats.Outcome.ACCEPTED
        : refused == AuditFacts.Refusal.QUOTA ? LiveStats.Outcome.THROTTLED
        : refused == AuditFacts.Refusal.FAULT ? LiveStats.Outcome.FAULT : LiveStats.Outcome.ERROR;
    String cache = facts.cache();
    boolean hit = outcome == LiveStats.Outcome.ACCEPTED && cache != null
        && (cache.equals("hit") || cache.equals("stale"));
    stats.record(service, operation, outcome, hit, micros, answeredAtMillis);
    if (outcome == LiveStats.Outcome.ACCEPTED && identity != null) {
      String principal = identity.principalArn();
      if (service.equals("kms")) {
        stats.keyUsed("kms", operation, facts.keyArn(), principal);
      }
      List<AuditFacts.KeyUse> uses = facts.keyUses();
      for (int i = 0; i < uses.size(); i++) {
        stats.keyUsed("kms", uses.get(i).operation(), uses.get(i).keyArn(), principal);
      }
    }
  }

  private AuditEvent event(Served served) {
    String service = served.model.signingName();
    boolean kms = service.equals("kms");
    boolean readOnly = readOnly(service, served.operation);
    ObjectNode parameters = served.model.recordedInput(served.operation, served.input);
    ObjectNode response = readOnly || served.errorCode != null ? null
        : served.model.recordedOutput(served.operation, served.output);
    AuditFacts facts = served.facts;
    String algorithm = null;
    List<String> contextKeys = List.of();
    if (kms) {
      // The algorithm of whichever kind the operation has (as answered, else as asked).
      for (String field : ALGORITHM_FIELDS) {
        algorithm = algorithm != null ? algorithm : text(served.output, field);
        algorithm = algorithm != null ? algorithm : text(served.input, field);
      }
      if (algorithm == null && KMS_READ_ONLY.contains(served.operation) && !served.operation.equals("GenerateRandom")
          && "SYMMETRIC_DEFAULT".equals(facts.keySpec())) {
        algorithm = "SYMMETRIC_DEFAULT";
      }
      contextKeys = contextKeys(served.input);
      if (served.operation.equals("CreateGrant") || served.operation.equals("RetireGrant")) {
        // CloudTrail keeps the grant's id (CreateGrant's response, RetireGrant's additional data), not its token.
        if (parameters != null) {
          parameters.remove("grantToken");
        }
        if (response != null) {
          response.remove("grantToken");
        }
      }
    }
    return new AuditEvent(newEventId(), served.requestId, served.time, service, served.operation, served.identity,
        served.sourceIp, served.userAgent, parameters, response, served.errorCode, served.errorMessage, readOnly, null,
        facts.resources(), facts.keyArn(), facts.keySpec(), algorithm, contextKeys, facts.secretArn(),
        facts.parameterName(), facts.cache(), facts.additionalEventData(), served.invocationId, served.attempt, nodeId);
  }

  /**
   * The KMS call a service made with the caller's permissions, as AWS records it: the service's
   * own call, so no attempt of the caller's SDK call.
   */
  private AuditEvent keyUseEvent(Served served, AuditFacts.KeyUse use) {
    ObjectNode parameters = Json.object().put("encryptionAlgorithm", "SYMMETRIC_DEFAULT");
    return new AuditEvent(newEventId(), served.requestId, served.time, "kms", use.operation(), served.identity,
        served.sourceIp, served.userAgent, parameters, null, served.errorCode, served.errorMessage,
        readOnly("kms", use.operation()), use.viaService() + ".amazonaws.com",
        List.of(new AuditFacts.Resource(use.keyArn(), "AWS::KMS::Key", use.keyAccountId())), use.keyArn(),
        served.facts.keySpec(), "SYMMETRIC_DEFAULT", List.of(), null, null, null, null, null, 0, nodeId);
  }

  /** Whether an operation changes nothing (CloudTrail's readOnly): a cache need not look at it. */
  public static boolean readOnly(String service, String operation) {
    return operation.startsWith("Get") || operation.startsWith("List") || operation.startsWith("Describe")
        || operation.startsWith("BatchGet") || operation.startsWith("Validate")
        || (service.equals("kms") && KMS_READ_ONLY.contains(operation));
  }

  private static List<String> contextKeys(JsonNode input) {
    if (input == null) {
      return List.of();
    }
    List<String> keys = null;
    for (String field : CONTEXT_FIELDS) {
      JsonNode context = input.get(field);
      if (context != null && context.isObject() && !context.isEmpty()) {
        if (keys == null) {
          keys = new ArrayList<>(context.size());
        }
        for (Iterator<String> names = context.fieldNames(); names.hasNext(); ) {
          String name = names.next();
          if (!keys.contains(name)) {
            keys.add(name);
          }
        }
      }
    }
    return keys == null ? List.of() : List.copyOf(keys);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }

  private static String newEventId() {
    return RequestIds.next();
  }
}
