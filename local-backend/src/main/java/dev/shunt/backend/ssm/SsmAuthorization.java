package dev.shunt.backend.ssm;

import dev.shunt.backend.auth.AccessControl;
import dev.shunt.backend.auth.policy.AccessRequest;
import dev.shunt.backend.auth.policy.NamedPolicy;
import dev.shunt.backend.auth.policy.PrincipalArns;
import dev.shunt.backend.auth.policy.Verdict;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.RequestContext;
import java.util.Map;

/**
 * Whether a caller may act on a parameter, as Parameter Store decides it: parameters have no
 * resource policy, so the caller's identity policies alone decide ({@code ssm:ACTION} on the
 * parameter's ARN, with its tags as {@code aws:ResourceTag/K}); an explicit Deny wins; an account's
 * root may do anything. Without a principals file nothing is checked.
 */
final class SsmAuthorization {
  private volatile AccessControl access = AccessControl.OFF;

  void accessControl(AccessControl access) {
    this.access = access;
  }

  boolean enabled() {
    return access.enabled();
  }

  /** Checks {@code ssm:ACTION} on {@code resource} (a parameter's ARN, or {@code *}) with the parameter's tags. */
  void authorize(RequestContext ctx, String action, String resource, Map<String, String> tags) {
    AccessControl control = access;
    if (!control.enabled()) {
      return;
    }
    String principal = ctx.identity().principalArn();
    AccessRequest request = request(ctx, action, resource, tags);
    boolean allowed = false;
    for (NamedPolicy p : control.identityPolicies(principal)) {
      Verdict v = p.policy().evaluate(request);
      if (v.denied()) {
        throw denied(principal, action, resource, " with an explicit deny in an identity-based policy");
      }
      allowed |= v.allowed();
    }
    // An account's root holds every permission of its account (it cannot be given identity policies).
    if (!allowed && !PrincipalArns.isAccountRoot(principal)) {
      throw denied(principal, action, resource, " because no identity-based policy allows the ssm:" + action
          + " action");
    }
  }

  private static AwsException denied(String principal, String action, String resource, String why) {
    return new AwsException("AccessDeniedException", "User: " + principal + " is not authorized to perform: ssm:"
        + action + " on resource: " + resource + why);
  }

  private static AccessRequest request(RequestContext ctx, String action, String resource, Map<String, String> tags) {
    AccessRequest.Builder request = AccessRequest.builder(ctx.identity().principalArn(), ctx.accountId(),
        "ssm:" + action, resource)
        .key("aws:CurrentTime", ctx.now().toString())
        .key("aws:EpochTime", Long.toString(ctx.now().getEpochSecond()));
    if (ctx.sourceIp() != null) {
      request.key("aws:SourceIp", ctx.sourceIp());
    }
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      request.key("aws:ResourceTag/" + tag.getKey(), tag.getValue());
    }
    return request.build();
  }
}
