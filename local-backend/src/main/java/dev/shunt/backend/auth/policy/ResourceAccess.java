package dev.shunt.backend.auth.policy;

import java.util.List;

/**
 * The access decision of a service whose resources may carry resource-based policies beside the
 * caller's identity policies (Secrets Manager's secrets, Parameter Store's shared parameters), as
 * IAM documents it ("Policy evaluation logic", "Cross-account policy evaluation logic"):
 * <ol>
 *   <li>an explicit Deny in a resource policy or in an identity policy of the caller denies;</li>
 *   <li>in the resource's account, an identity policy Allow, the account's root, or a resource
 *       policy Allow naming the caller directly (its ARN, its role, {@code "*"}) allows; one naming
 *       the account delegates to the account's identity policies;</li>
 *   <li>from another account, a resource policy must allow the caller (itself or its account) and
 *       an identity policy of the caller must allow too (its account's root needs none);</li>
 *   <li>else no access.</li>
 * </ol>
 * The deciding policy and statement are kept for {@code GET /_shunt/explain}, as {@link KmsAccess}
 * keeps them; a decision without one (the account root, no resource policy) is a shared constant.
 */
public final class ResourceAccess {
  /** The name a decision gives a resource's only policy (a secret's). */
  public static final String RESOURCE_POLICY = "resource policy";

  private ResourceAccess() {}

  /** Why a decision went the way it did; the last three allow. */
  public enum Reason {
    EXPLICIT_DENY_IN_RESOURCE_POLICY,
    EXPLICIT_DENY_IN_IDENTITY_POLICY,
    NO_RESOURCE_POLICY_ALLOWS,
    NO_IDENTITY_POLICY_ALLOWS,
    ALLOWED_BY_RESOURCE_POLICY,
    ALLOWED_BY_IDENTITY_POLICY,
    ALLOWED_AS_ACCOUNT_ROOT;

    public boolean allowed() {
      return compareTo(ALLOWED_BY_RESOURCE_POLICY) >= 0;
    }

    /** How AWS ends an AccessDeniedException for this reason ({@code action}: {@code ssm:GetParameter}). */
    public String why(String action) {
      return switch (this) {
        case EXPLICIT_DENY_IN_RESOURCE_POLICY -> " with an explicit deny in a resource-based policy";
        case EXPLICIT_DENY_IN_IDENTITY_POLICY -> " with an explicit deny in an identity-based policy";
        case NO_RESOURCE_POLICY_ALLOWS -> " because no resource-based policy allows the " + action + " action";
        case NO_IDENTITY_POLICY_ALLOWS -> " because no identity-based policy allows the " + action + " action";
        default -> "";
      };
    }
  }

  /**
   * A decision: why, and the policy and statement that decided ({@code verdict} as the policy gave
   * it; {@link Verdict#NONE} and a null policy when nothing did). For a caller of another account
   * whom a resource policy let in but no identity policy allows, the policy is that resource policy.
   */
  public record Decision(Reason reason, String policyName, Verdict verdict) {
    static final Decision ROOT = new Decision(Reason.ALLOWED_AS_ACCOUNT_ROOT, null, Verdict.NONE);
    static final Decision NO_RESOURCE_POLICY = new Decision(Reason.NO_RESOURCE_POLICY_ALLOWS, null, Verdict.NONE);
    static final Decision NO_IDENTITY_POLICY = new Decision(Reason.NO_IDENTITY_POLICY_ALLOWS, null, Verdict.NONE);

    public boolean allowed() {
      return reason.allowed();
    }

    /** The deciding statement: its Sid, else {@code #index}; null when none decided. */
    public String statement() {
      return verdict.statement();
    }

    /**
     * The message of the AccessDeniedException this decision answers, in AWS's words:
     * {@code User: P is not authorized to perform: ACTION on resource: R because ...}.
     */
    public String denial(String principalArn, String action, String resource) {
      return "User: " + principalArn + " is not authorized to perform: " + action + " on resource: " + resource
          + reason.why(action);
    }
  }

  /**
   * Decides {@code request} (its resource: the resource's ARN, or {@code *}) given the resource's
   * policies (none: an empty list), the caller's identity policies and the account owning the
   * resource. Evaluating allocates nothing but the decision naming a statement.
   */
  public static Decision decide(List<NamedPolicy> resourcePolicies, List<NamedPolicy> identityPolicies,
      AccessRequest request, String ownerAccount) {
    NamedPolicy resourceAllow = null;
    Verdict resourceVerdict = null;
    for (int i = 0; i < resourcePolicies.size(); i++) {
      NamedPolicy p = resourcePolicies.get(i);
      Verdict v = p.policy().evaluate(request);
      if (v.denied()) {
        return new Decision(Reason.EXPLICIT_DENY_IN_RESOURCE_POLICY, p.name(), v);
      }
      if (v.allowed() && resourceAllow == null) {
        resourceAllow = p;
        resourceVerdict = v;
      }
    }
    NamedPolicy identityAllow = null;
    Verdict identityVerdict = null;
    for (int i = 0; i < identityPolicies.size(); i++) {
      NamedPolicy p = identityPolicies.get(i);
      Verdict v = p.policy().evaluate(request);
      if (v.denied()) {
        return new Decision(Reason.EXPLICIT_DENY_IN_IDENTITY_POLICY, p.name(), v);
      }
      if (v.allowed() && identityAllow == null) {
        identityAllow = p;
        identityVerdict = v;
      }
    }
    boolean root = request.isAccountRoot();
    if (request.principalAccount().equals(ownerAccount)) {
      if (identityAllow != null) {
        return new Decision(Reason.ALLOWED_BY_IDENTITY_POLICY, identityAllow.name(), identityVerdict);
      }
      if (root) {
        return Decision.ROOT;
      }
      if (resourceAllow != null) {
        for (int i = 0; i < resourcePolicies.size(); i++) {
          NamedPolicy p = resourcePolicies.get(i);
          Verdict direct = p.policy().evaluate(request, Policy.PrincipalMatch.DIRECT);
          if (direct.allowed()) {
            return new Decision(Reason.ALLOWED_BY_RESOURCE_POLICY, p.name(), direct);
          }
        }
      }
      return Decision.NO_IDENTITY_POLICY;
    }
    if (resourceAllow == null) {
      return Decision.NO_RESOURCE_POLICY;
    }
    if (root) {
      return new Decision(Reason.ALLOWED_BY_RESOURCE_POLICY, resourceAllow.name(), resourceVerdict);
    }
    if (identityAllow != null) {
      return new Decision(Reason.ALLOWED_BY_IDENTITY_POLICY, identityAllow.name(), identityVerdict);
    }
    return new Decision(Reason.NO_IDENTITY_POLICY_ALLOWS, resourceAllow.name(), resourceVerdict);
  }
}
