package dev.shunt.backend.auth;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import java.time.Instant;

/**
 * The last access decisions made under a principals file, newest first, for
 * {@code GET /_shunt/explain}: which policy and statement (or grant) allowed or denied whom doing
 * what to which resource, and why. AWS never tells this; it is the quickest way to debug a policy.
 * Bounded: the oldest go.
 */
public final class AccessDecisions {
  /** One decision: {@code reason} as the engine names it ({@code ALLOWED_BY_KEY_POLICY}...), {@code statement} its Sid or {@code #index}. */
  public record Decision(Instant time, String requestId, String principal, String action, String resource,
      boolean allowed, String reason, String policy, String statement) {}

  static final int KEPT = 1000;
  private final Decision[] ring = new Decision[KEPT];
  private long next;

  public synchronized void add(Decision decision) {
    ring[(int) (next++ % KEPT)] = decision;
  }

  public synchronized void clear() {
    java.util.Arrays.fill(ring, null);
    next = 0;
  }

  /** GET /_shunt/explain: up to {@code limit} decisions, newest first, only those of {@code requestId} if given. */
  public synchronized ObjectNode report(int limit, String requestId) {
    ObjectNode report = Json.object();
    ArrayNode decisions = report.putArray("decisions");
    for (long i = next - 1; i >= 0 && i >= next - KEPT && decisions.size() < limit; i--) {
      Decision d = ring[(int) (i % KEPT)];
      if (d == null || requestId != null && !requestId.equals(d.requestId())) {
        continue;
      }
      ObjectNode entry = decisions.addObject().put("time", d.time().toString()).put("requestId", d.requestId())
          .put("principal", d.principal()).put("action", d.action()).put("resource", d.resource())
          .put("decision", d.allowed() ? "allowed" : "denied").put("reason", d.reason());
      if (d.policy() != null) {
        entry.put("policy", d.policy());
      }
      if (d.statement() != null) {
        entry.put("statement", d.statement());
      }
    }
    return report;
  }
}
