package dev.shunt.backend.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.audit.AuditFacts;
import dev.shunt.backend.audit.AuditTelemetry;
import dev.shunt.backend.audit.Auditor;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.CommonErrors;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.Router;
import dev.shunt.backend.upstream.UpstreamAnswer;
import dev.shunt.backend.upstream.UpstreamClient;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Proxy mode: the requests of the services Shunt forwards go, after its quotas, faults and
 * caches, to the upstream (real AWS), signed with Shunt's own credentials in the caller's
 * Region; what comes back is the caller's answer, an error exactly as the upstream sent it.
 * Each attempt is an event on the request's span.
 */
public final class UpstreamCalls implements AutoCloseable {
  /** The upstream's error answer, passed on as it came. */
  static final class PassedOn extends AwsException {
    private final transient byte[] body;

    PassedOn(String code, String message, int status, byte[] body) {
      super(code, message, status);
      this.body = body;
    }

    byte[] body() {
      return body;
    }
  }

  private final UpstreamClient client;
  private final java.util.function.Predicate<String> forwarded;
  private final Auditor auditor;

  /** @param forwarded whether a service (by signing name) goes to the upstream */
  public UpstreamCalls(UpstreamClient client, java.util.function.Predicate<String> forwarded, Auditor auditor) {
    this.client = client;
    this.forwarded = forwarded;
    this.auditor = auditor;
  }

  /** The services forwarded and where: {@code kms=https://kms.{region}.amazonaws.com}. */
  public String describe() {
    return client.endpoints().toString();
  }

  boolean forwards(String service) {
    return forwarded.test(service);
  }

  CompletableFuture<AwsRequestProcessor.Result> forward(Router.Route route, Identity identity, byte[] body,
      String contentType, AuditTelemetry.ServerSpan span, AuditFacts facts) {
    String service = route.model().signingName();
    String operation = route.operation();
    return client.forward(service, identity.region(), route.model().targetPrefix() + "." + operation,
        contentType == null ? AwsResponses.AMZ_JSON.toString() : contentType, body,
        (number, status, errorCode, elapsedMillis, backoffMillis) -> auditor.upstreamAttempt(span,
            route.model().sdkName(), operation, number, status, errorCode, elapsedMillis, backoffMillis))
        .thenApply(answer -> result(answer, service, operation, identity, facts));
  }

  private static AwsRequestProcessor.Result result(UpstreamAnswer answer, String service, String operation,
      Identity identity, AuditFacts facts) {
    JsonNode parsed = null;
    try {
      parsed = answer.body() == null || answer.body().length == 0 ? null : Json.readTree(answer.body());
    } catch (IOException e) {
      // not JSON: an error is passed on as it came; a success that is not JSON is the upstream's failure
    }
    if (answer.succeeded()) {
      if (parsed != null && !parsed.isObject()) {
        return AwsRequestProcessor.Result.error(CommonErrors.internalFailure());
      }
      ObjectNode output = (ObjectNode) parsed;
      note(service, operation, output, identity, facts);
      return AwsRequestProcessor.Result.answer(output);
    }
    String code = answer.errorCode() != null ? answer.errorCode() : "HTTP " + answer.status();
    String message = parsed == null ? null : text(parsed.has("message") ? parsed.get("message") : parsed.get("Message"));
    return AwsRequestProcessor.Result.error(new PassedOn(code, message, answer.status(),
        answer.body() == null ? new byte[0] : answer.body()));
  }

  /** What the answer says of the key, secret or parameter, for the audit record and span. */
  private static void note(String service, String operation, ObjectNode output, Identity identity, AuditFacts facts) {
    if (output == null) {
      return;
    }
    switch (service) {
      case "kms" -> {
        JsonNode metadata = output.path("KeyMetadata");
        String arn = text(metadata.get("Arn"));
        arn = arn != null ? arn : text(output.get("KeyId"));
        if (arn != null && arn.startsWith("arn:")) {
          facts.key(arn, text(metadata.get("KeySpec")), accountOf(arn, identity), operation, null);
        }
      }
      case "secretsmanager" -> {
        String arn = text(output.get("ARN"));
        if (arn != null) {
          facts.secret(arn, accountOf(arn, identity));
        }
      }
      case "ssm" -> {
        JsonNode parameter = output.path("Parameter");
        String name = text(parameter.get("Name"));
        if (name != null) {
          String arn = text(parameter.get("ARN"));
          facts.parameter(name, arn != null ? arn : name, arn != null ? accountOf(arn, identity) : identity.accountId());
        }
      }
      default -> { }
    }
  }

  private static String accountOf(String arn, Identity identity) {
    String[] parts = arn.split(":", 6);
    return parts.length == 6 && !parts[4].isEmpty() ? parts[4] : identity.accountId();
  }

  private static String text(JsonNode node) {
    return node != null && node.isTextual() ? node.textValue() : null;
  }

  @Override
  public void close() {
    client.close();
  }
}
