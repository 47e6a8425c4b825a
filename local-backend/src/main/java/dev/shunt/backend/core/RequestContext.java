package dev.shunt.backend.core;

import dev.shunt.backend.audit.AuditFacts;
import dev.shunt.backend.auth.Identity;
import java.time.Instant;

/**
 * What an operation knows about the call it serves: who, where, when (on the backend's movable
 * clock) and the request id that the response and the audit record carry; where it notes what
 * it resolved for the audit record ({@link AuditFacts}); and the request's input, which access
 * decisions read condition keys from (an encryption context, tags), or null for a change Shunt
 * makes itself.
 */
public record RequestContext(String requestId, Identity identity, Instant now, String sourceIp, String userAgent,
    AuditFacts audit, com.fasterxml.jackson.databind.node.ObjectNode input) {

  public RequestContext(String requestId, Identity identity, Instant now, String sourceIp, String userAgent) {
    this(requestId, identity, now, sourceIp, userAgent, new AuditFacts(), null);
  }

  public RequestContext(String requestId, Identity identity, Instant now, String sourceIp, String userAgent,
      AuditFacts audit) {
    this(requestId, identity, now, sourceIp, userAgent, audit, null);
  }

  public String accountId() {
    return identity.accountId();
  }

  public String region() {
    return identity.region();
  }

  public String partition() {
    return identity.partition();
  }

  /** The same caller acting in another Region (replication writes there on the caller's behalf). */
  public RequestContext inRegion(String region) {
    return new RequestContext(requestId, new Identity(identity.accountId(), identity.accessKeyId(),
        identity.principalArn(), region), now, sourceIp, userAgent, audit, input);
  }
}
