package dev.shunt.backend.kms;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.auth.AccessControl;
import dev.shunt.backend.auth.AccessDecisions;
import dev.shunt.backend.auth.PolicyDocument;
import dev.shunt.backend.auth.policy.AccessRequest;
import dev.shunt.backend.auth.policy.KmsAccess;
import dev.shunt.backend.auth.policy.Policy;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.RequestContext;
import java.util.List;
import java.util.Map;

/**
 * Whether a caller may use a KMS key, as AWS decides it. Without a principals file: the key
 * policy alone (every caller is an account root). With one: the key policy, the caller's identity
 * policies and their conditions, combined as AWS documents it ({@link KmsAccess}), with the
 * request's condition keys (encryption context, algorithm, caller account, key spec and usage,
 * the calling service, source address, time, the key's tags).
 */
final class KmsAuthorization {
  /** What decisions read beyond the key: its grants for a grantee, its aliases, which key a key id names. */
  interface KeyGrants extends KmsConditionKeys.Lookup {
    /** The grants on {@code key} whose grantee is exactly {@code grantee} (none when its Region holds none). */
    java.util.Collection<Grant> of(KmsKey key, String grantee);
  }

  /** {@code kms:ACTION} for each action, made once: a request would otherwise concatenate it. */
  private static final java.util.concurrent.ConcurrentHashMap<String, String> QUALIFIED =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final KeyGrants grants;
  private volatile AccessControl access = AccessControl.OFF;

  KmsAuthorization(KeyGrants grants) {
    this.grants = grants;
  }

  void accessControl(AccessControl access) {
    this.access = access;
  }

  /** A key policy given to CreateKey or PutKeyPolicy; under access control, read as strictly as AWS reads it. */
  PolicyDocument parsePolicy(String text) {
    if (access.enabled()) {
      Policy.parse(text, Policy.Kind.RESOURCE);
    }
    return PolicyDocument.parse(text);
  }

  /**
   * An operation that names no key (CreateKey, ListKeys, ListAliases, GenerateRandom): under
   * access control an account root may, anyone else needs an identity policy allowing it on
   * {@code *}, and an explicit Deny refuses.
   */
  void authorizeWithoutKey(RequestContext ctx, String action) {
    AccessControl control = access;
    if (!control.enabled()) {
      return;
    }
    String principal = ctx.identity().principalArn();
    AccessRequest request = AccessRequest.builder(principal, ctx.accountId(), qualified(action), "*")
        .source(new KmsConditionKeys(ctx, null, action, null, grants)).build();
    boolean allowed = principal.endsWith(":root");
    for (dev.shunt.backend.auth.policy.NamedPolicy policy : control.identityPolicies(principal)) {
      dev.shunt.backend.auth.policy.Verdict verdict = policy.policy().evaluate(request);
      if (verdict.denied()) {
        throw new AwsException("AccessDeniedException", "User: " + principal + " is not authorized to perform: kms:"
            + action + " on resource: * with an explicit deny in an identity-based policy");
      }
      allowed |= verdict.allowed();
    }
    if (!allowed) {
      throw new AwsException("AccessDeniedException", "User: " + principal + " is not authorized to perform: kms:"
          + action + " on resource: * because no identity-based policy allows the kms:" + action + " action");
    }
  }

  /**
   * The lockout safety check of CreateKey and PutKeyPolicy, under access control: the caller must
   * still be allowed PutKeyPolicy by the new policy (with its identity policies), unless the
   * request sets BypassPolicyLockoutSafetyCheck.
   */
  void checkLockout(RequestContext ctx, PolicyDocument policy, String keyArn, String keyAccount) {
    AccessControl control = access;
    JsonNode bypass = ctx.input() == null ? null : ctx.input().get("BypassPolicyLockoutSafetyCheck");
    if (!control.enabled() || bypass != null && bypass.asBoolean(false)) {
      return;
    }
    Policy compiled = policy.compiled();
    String principal = ctx.identity().principalArn();
    KmsAccess.Decision decision = compiled == null ? null : KmsAccess.decide(compiled,
        control.identityPolicies(principal), AccessRequest.builder(principal, ctx.accountId(), "kms:PutKeyPolicy",
            keyArn).source(new KmsConditionKeys(ctx, null, "PutKeyPolicy", null, grants)).build(), keyAccount);
    if (decision == null || !decision.allowed()) {
      throw new AwsException("MalformedPolicyDocumentException",
          "The new key policy will not allow you to update the key policy in the future.");
    }
  }

  /**
   * AWS managed keys are usable only through their service (their metadata is readable by the
   * account); otherwise the policies decide, and an explicit Deny always wins.
   */
  void authorize(RequestContext ctx, KmsKey key, String action, String viaService) {
    String principal = ctx.identity().principalArn();
    if (key.awsManaged()) {
      boolean metadata = action.startsWith("Describe") || action.startsWith("Get") || action.startsWith("List");
      if (!key.accountId.equals(ctx.accountId()) || (!metadata && !key.managedFor.equals(viaService))) {
        throw KmsErrors.accessDenied(principal, action, key.arn);
      }
      return;
    }
    AccessControl control = access;
    if (control.enabled()) {
      decide(ctx, control, key, action, viaService);
      return;
    }
    PolicyDocument.Decision decision = key.policy().decide(ctx.accountId(), principal, qualified(action));
    // Another account needs the key policy, or a grant to it (as at AWS, grants work across accounts).
    if (decision == PolicyDocument.Decision.DENY
        || (!key.accountId.equals(ctx.accountId()) && decision != PolicyDocument.Decision.ALLOW
            && !grantAllows(ctx, key, action, principal))) {
      throw KmsErrors.accessDenied(principal, action, key.arn);
    }
  }

  private void decide(RequestContext ctx, AccessControl control, KmsKey key, String action, String viaService) {
    String principal = ctx.identity().principalArn();
    Policy keyPolicy = key.policy().compiled();
    KmsAccess.Decision decision = keyPolicy == null ? null
        : KmsAccess.decide(keyPolicy, control.identityPolicies(principal), request(ctx, key, action, viaService),
            key.accountId);
    boolean explicitDeny = decision != null && decision.effect() == dev.shunt.backend.auth.policy.Verdict.Effect.DENY;
    boolean byGrant = decision != null && !decision.allowed() && !explicitDeny
        && grantAllows(ctx, key, action, principal);
    record(ctx, control, action, key.arn, decision, byGrant);
    if (decision == null || !decision.allowed() && !byGrant) {
      String subject = "User: " + principal + " is not authorized to perform: kms:" + action + " on resource: "
          + key.arn;
      String why = decision == null ? " because no resource-based policy allows the kms:" + action + " action"
          : switch (decision.reason()) {
            case EXPLICIT_DENY_IN_KEY_POLICY -> " with an explicit deny in a resource-based policy";
            case EXPLICIT_DENY_IN_IDENTITY_POLICY -> " with an explicit deny in an identity-based policy";
            case NO_IDENTITY_POLICY_ALLOWS -> " because no identity-based policy allows the kms:" + action + " action";
            default -> " because no resource-based policy allows the kms:" + action + " action";
          };
      throw new AwsException("AccessDeniedException", subject + why);
    }
  }

  /**
   * RetireGrant, which the grant decides (AWS, "Retiring and revoking grants"): its retiring
   * principal, its grantee when it allows RetireGrant, and the account that owns the key or issued
   * the grant (its root; under a principals file also a principal of it whose identity policy
   * allows kms:RetireGrant on the key, as when the retiring principal is the caller's account).
   * An explicit Deny of kms:RetireGrant in an identity policy refuses; the key policy plays no part.
   */
  void authorizeRetire(RequestContext ctx, KmsKey key, Grant grant) {
    String principal = ctx.identity().principalArn();
    String role = dev.shunt.backend.auth.policy.PrincipalArns.roleArnOfSession(principal);
    boolean named = principal.equals(grant.retiringPrincipal())
        || role != null && role.equals(grant.retiringPrincipal())
        || grant.operations().contains("RetireGrant")
        && (principal.equals(grant.granteePrincipal()) || role != null && role.equals(grant.granteePrincipal()));
    String callerRoot = dev.shunt.backend.auth.policy.PrincipalArns.accountRoot(ctx.partition(), ctx.accountId());
    boolean owning = ctx.accountId().equals(key.accountId) || callerRoot.equals(grant.issuingAccount())
        || callerRoot.equals(grant.retiringPrincipal());
    boolean root = principal.equals(callerRoot);
    AccessControl control = access;
    if (!control.enabled()) {
      if (!named && !(root && owning)) {
        throw KmsErrors.accessDenied(principal, "RetireGrant", key.arn);
      }
      return;
    }
    AccessRequest request = request(ctx, key, "RetireGrant", null);
    boolean identityAllows = false;
    for (dev.shunt.backend.auth.policy.NamedPolicy policy : control.identityPolicies(principal)) {
      dev.shunt.backend.auth.policy.Verdict verdict = policy.policy().evaluate(request);
      if (verdict.denied()) {
        control.decisions().add(new AccessDecisions.Decision(ctx.now(), ctx.requestId(), principal,
            "kms:RetireGrant", key.arn, false, "EXPLICIT_DENY_IN_IDENTITY_POLICY", policy.name(), verdict.statement()));
        throw new AwsException("AccessDeniedException", "User: " + principal + " is not authorized to perform: "
            + "kms:RetireGrant on resource: " + key.arn + " with an explicit deny in an identity-based policy");
      }
      identityAllows |= verdict.allowed();
    }
    boolean byGrant = named || root && owning;
    boolean allowed = byGrant || owning && identityAllows;
    control.decisions().add(new AccessDecisions.Decision(ctx.now(), ctx.requestId(), principal, "kms:RetireGrant",
        key.arn, allowed, byGrant ? "ALLOWED_BY_GRANT" : allowed ? "ALLOWED_BY_IDENTITY_POLICY"
            : "NO_IDENTITY_POLICY_ALLOWS", null, null));
    if (!allowed) {
      throw new AwsException("AccessDeniedException", "User: " + principal + " is not authorized to perform: "
          + "kms:RetireGrant on resource: " + key.arn + " because no identity-based policy allows the "
          + "kms:RetireGrant action");
    }
  }

  private static void record(RequestContext ctx, AccessControl control, String action, String keyArn,
      KmsAccess.Decision decision, boolean byGrant) {
    String reason = byGrant ? "ALLOWED_BY_GRANT" : decision == null ? "KEY_POLICY_UNREADABLE" : decision.reason().name();
    control.decisions().add(new AccessDecisions.Decision(ctx.now(), ctx.requestId(), ctx.identity().principalArn(),
        qualified(action), keyArn, byGrant || decision != null && decision.allowed(), reason,
        byGrant || decision == null ? null : decision.policyName(), byGrant || decision == null ? null
            : decision.statement()));
  }

  /**
   * Whether a grant on the key lets the caller (or, for a role's session, its role) do this, with
   * the request's encryption context within the grant's constraints (which DescribeKey and
   * RetireGrant, having no encryption context, ignore). CreateGrant by a grant is limited as AWS
   * limits it: the new grant's operations must be among the granting grant's, and its constraint
   * at least as strict. Only the grants for the caller (and its role) are read, not all of the key's.
   */
  private boolean grantAllows(RequestContext ctx, KmsKey key, String action, String principal) {
    String role = dev.shunt.backend.auth.policy.PrincipalArns.roleArnOfSession(principal);
    return grantAllows(ctx, grants.of(key, principal), action)
        || role != null && grantAllows(ctx, grants.of(key, role), action);
  }

  private static boolean grantAllows(RequestContext ctx, java.util.Collection<Grant> candidates, String action) {
    Map<String, String> context = null;
    for (Grant grant : candidates) {
      if (!grant.operations().contains(action)) {
        continue;
      }
      if (action.equals("CreateGrant")) {
        if (GrantConstraints.allowsChild(grant, ctx.input())) {
          return true;
        }
        continue;
      }
      if (action.equals("DescribeKey") || action.equals("RetireGrant")) {
        return true;
      }
      if (context == null) {
        context = encryptionContext(ctx, action);
      }
      if (GrantConstraints.allows(grant, context)) {
        return true;
      }
    }
    return false;
  }

  /** The encryption context a grant's constraint is checked against (ReEncrypt has one per side). */
  private static Map<String, String> encryptionContext(RequestContext ctx, String action) {
    String member = switch (action) {
      case "ReEncryptFrom" -> "SourceEncryptionContext";
      case "ReEncryptTo" -> "DestinationEncryptionContext";
      default -> "EncryptionContext";
    };
    JsonNode context = ctx.input() == null ? null : ctx.input().get(member);
    if (context == null || !context.isObject()) {
      return Map.of();
    }
    Map<String, String> pairs = new java.util.HashMap<>();
    context.fields().forEachRemaining(pair -> pairs.put(pair.getKey(), pair.getValue().asText()));
    return pairs;
  }

  private static String qualified(String action) {
    return QUALIFIED.computeIfAbsent(action, name -> "kms:" + name);
  }

  /** The request as the policies see it: who, what, which key; its condition keys are read when a policy asks. */
  private AccessRequest request(RequestContext ctx, KmsKey key, String action, String viaService) {
    AccessRequest.Builder request = AccessRequest.builder(ctx.identity().principalArn(), ctx.accountId(),
        qualified(action), key.arn).source(new KmsConditionKeys(ctx, key, action, viaService, grants));
    if (viaService != null) {
      request.callingService(viaService + ".amazonaws.com");
    }
    return request.build();
  }
}
