package dev.shunt.backend.auth;

import dev.shunt.backend.auth.policy.NamedPolicy;
import dev.shunt.backend.auth.policy.Policy;
import dev.shunt.backend.core.AwsException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may do what beyond a resource's own policy: the identity policies of the principals file,
 * compiled once, by the ARN each principal's requests carry. Off (every decision as before the
 * principals file existed) when there is no file.
 */
public final class AccessControl {
  public static final AccessControl OFF = new AccessControl(Map.of(), false);

  private final Map<String, List<NamedPolicy>> byCaller;
  private final boolean enabled;
  private final AccessDecisions decisions = new AccessDecisions();

  private AccessControl(Map<String, List<NamedPolicy>> byCaller, boolean enabled) {
    this.byCaller = byCaller;
    this.enabled = enabled;
  }

  /** Compiles every identity policy of the file; IllegalArgumentException naming the principal and policy when one is malformed. */
  public static AccessControl of(Principals principals) {
    if (principals.isEmpty()) {
      return OFF;
    }
    Map<String, List<NamedPolicy>> byCaller = new HashMap<>();
    for (Principals.Principal principal : principals.all()) {
      List<NamedPolicy> policies = new ArrayList<>();
      principal.policies().forEach((name, text) -> {
        try {
          policies.add(new NamedPolicy(name, Policy.parse(text, Policy.Kind.IDENTITY)));
        } catch (AwsException e) {
          throw new IllegalArgumentException("principals file, principal " + principal.arn() + ", policy " + name
              + ": " + e.getMessage());
        }
      });
      byCaller.put(principal.callerArn(), List.copyOf(policies));
    }
    return new AccessControl(Map.copyOf(byCaller), true);
  }

  /** The last decisions, for {@code GET /_shunt/explain}. */
  public AccessDecisions decisions() {
    return decisions;
  }

  /** Whether a principals file decides access (identity policies count, conditions are evaluated). */
  public boolean enabled() {
    return enabled;
  }

  /** The identity policies of the principal whose requests carry {@code callerArn} (none for an account root). */
  public List<NamedPolicy> identityPolicies(String callerArn) {
    return byCaller.getOrDefault(callerArn, List.of());
  }
}
