package dev.shunt.backend.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import java.time.temporal.ChronoUnit;

/**
 * Renders an {@link AuditEvent} as a CloudTrail record ({@code eventVersion} 1.11): the field set
 * and spelling of CloudTrail's record contents, with {@code requestParameters} and
 * {@code responseElements} as CloudTrail keeps them (no plaintexts, secret values, parameter
 * values or binary blobs; no response for calls that change nothing).
 */
public final class CloudTrailRecords {
  static final String EVENT_VERSION = "1.11";

  private CloudTrailRecords() {}

  public static ObjectNode render(AuditEvent event) {
    ObjectNode record = Json.object();
    record.put("eventVersion", EVENT_VERSION);
    ObjectNode identity = record.putObject("userIdentity");
    String principal = event.identity().principalArn();
    identity.put("type", principalType(principal))
        .put("principalId", event.identity().accountId())
        .put("arn", principal)
        .put("accountId", event.identity().accountId());
    if (event.identity().accessKeyId() != null) {
      identity.put("accessKeyId", event.identity().accessKeyId());
    }
    nameThePrincipal(identity, principal, event.identity().accountId());
    if (event.invokedBy() != null) {
      identity.put("invokedBy", event.invokedBy());
    }
    record.put("eventTime", event.time().truncatedTo(ChronoUnit.SECONDS).toString());
    record.put("eventSource", event.service() + ".amazonaws.com");
    record.put("eventName", event.operation());
    record.put("awsRegion", event.identity().region());
    record.put("sourceIPAddress", event.invokedBy() != null ? event.invokedBy() : event.sourceIp());
    record.put("userAgent", event.invokedBy() != null ? event.invokedBy() : event.userAgent());
    if (event.errorCode() != null) {
      record.put("errorCode", event.errorCode());
      if (event.errorMessage() != null) {
        record.put("errorMessage", event.errorMessage());
      }
    }
    record.set("requestParameters", event.requestParameters() == null || event.requestParameters().isEmpty()
        ? null : event.requestParameters());
    record.set("responseElements", event.responseElements());
    if (event.additionalEventData() != null || event.nodeId() != null) {
      ObjectNode additional = record.putObject("additionalEventData");
      if (event.additionalEventData() != null) {
        additional.setAll(event.additionalEventData());
      }
      if (event.nodeId() != null) {
        // Which node of a Shunt cluster served the call: CloudTrail keeps service-specific facts here.
        additional.put("shuntNodeId", event.nodeId());
      }
    }
    record.put("requestID", event.requestId());
    record.put("eventID", event.eventId());
    record.put("readOnly", event.readOnly());
    String recipient = event.identity().accountId();
    if (!event.resources().isEmpty()) {
      ArrayNode resources = record.putArray("resources");
      for (AuditFacts.Resource resource : event.resources()) {
        resources.addObject().put("accountId", resource.accountId()).put("type", resource.type())
            .put("ARN", resource.arn());
      }
      recipient = event.resources().get(0).accountId();
    }
    record.put("eventType", "AwsApiCall");
    record.put("managementEvent", true);
    record.put("recipientAccountId", recipient);
    record.put("eventCategory", "Management");
    return record;
  }

  /**
   * What CloudTrail adds for a user (its name) and a role's session (the role that issued it, as
   * {@code sessionContext.sessionIssuer}).
   */
  private static void nameThePrincipal(ObjectNode identity, String arn, String accountId) {
    int user = arn.indexOf(":user/");
    if (user > 0) {
      identity.put("userName", arn.substring(arn.lastIndexOf('/') + 1));
      return;
    }
    int session = arn.indexOf(":assumed-role/");
    if (session > 0) {
      String[] parts = arn.substring(session + ":assumed-role/".length()).split("/", 2);
      String partition = arn.substring("arn:".length(), arn.indexOf(':', "arn:".length()));
      identity.putObject("sessionContext").putObject("sessionIssuer").put("type", "Role")
          .put("arn", "arn:" + partition + ":iam::" + accountId + ":role/" + parts[0]).put("accountId", accountId)
          .put("userName", parts[0]);
    }
  }

  static String principalType(String arn) {
    if (arn.endsWith(":root")) {
      return "Root";
    }
    if (arn.contains(":assumed-role/")) {
      return "AssumedRole";
    }
    return arn.contains(":user/") ? "IAMUser" : "Unknown";
  }
}
