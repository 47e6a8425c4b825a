package dev.shunt.backend.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.auth.AccessControl;
import dev.shunt.backend.auth.AccessDecisions;
import dev.shunt.backend.auth.PolicyDocument;
import dev.shunt.backend.auth.policy.AccessRequest;
import dev.shunt.backend.auth.policy.ConditionKeySource;
import dev.shunt.backend.auth.policy.GlobalConditionKeys;
import dev.shunt.backend.auth.policy.NamedPolicy;
import dev.shunt.backend.auth.policy.Policy;
import dev.shunt.backend.auth.policy.ResourceAccess;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.RequestContext;
import java.util.List;
import java.util.Map;

/**
 * Whether a caller may act on a secret, as Secrets Manager decides it. Without a principals file:
 * the resource policy alone (every caller is an account root). With one, as AWS documents it: in
 * the secret's account the caller's identity policies or the resource policy may allow; from
 * another account both must; an explicit Deny in either always wins; the account's root needs no
 * identity policy ({@link ResourceAccess}). Each decision goes to {@code GET /_shunt/explain}.
 */
final class SecretsAuthorization {
  private volatile AccessControl access = AccessControl.OFF;

  void accessControl(AccessControl access) {
    this.access = access;
  }

  boolean enabled() {
    return access.enabled();
  }

  /** A resource policy given to PutResourcePolicy; under access control, read as strictly as AWS reads it. */
  void checkPolicy(String text) {
    if (access.enabled()) {
      Policy.parse(text, Policy.Kind.RESOURCE);
    }
  }

  /** Checks {@code secretsmanager:ACTION} on an existing secret. */
  void authorize(RequestContext ctx, Secret secret, String action) {
    PolicyDocument policy;
    Map<String, String> tags;
    synchronized (secret) {
      policy = secret.resourcePolicy;
      tags = access.enabled() ? Map.copyOf(secret.tags) : Map.of();
    }
    AccessControl control = access;
    if (control.enabled()) {
      decide(ctx, control, policy == null ? null : policy.compiled(), secret.accountId, secret.arn, tags, action);
      return;
    }
    String principal = ctx.identity().principalArn();
    PolicyDocument.Decision decision = policy == null ? PolicyDocument.Decision.NONE
        : policy.decide(ctx.accountId(), principal, "secretsmanager:" + action);
    if (decision == PolicyDocument.Decision.DENY) {
      throw SecretsErrors.explicitlyDenied(principal, action, secret.arn);
    }
    if (!secret.accountId.equals(ctx.accountId()) && decision != PolicyDocument.Decision.ALLOW) {
      throw SecretsErrors.accessDenied(principal, action, secret.arn);
    }
  }

  /**
   * Checks an action on no existing secret (CreateSecret on the new secret's ARN; ListSecrets,
   * GetRandomPassword, BatchGetSecretValue on {@code *}): identity policies alone decide. Nothing
   * is checked without a principals file.
   */
  void authorizeIdentity(RequestContext ctx, String action, String resource) {
    AccessControl control = access;
    if (control.enabled()) {
      decide(ctx, control, null, ctx.accountId(), resource, Map.of(), action);
    }
  }

  private static void decide(RequestContext ctx, AccessControl control, Policy resourcePolicy, String ownerAccount,
      String resource, Map<String, String> tags, String action) {
    String principal = ctx.identity().principalArn();
    AccessRequest request = request(ctx, resource, tags, action);
    ResourceAccess.Decision decision = ResourceAccess.decide(
        resourcePolicy == null ? List.of() : List.of(new NamedPolicy(ResourceAccess.RESOURCE_POLICY, resourcePolicy)),
        control.identityPolicies(principal), request, ownerAccount);
    control.decisions().add(new AccessDecisions.Decision(ctx.now(), ctx.requestId(), principal, request.action(),
        resource, decision.allowed(), decision.reason().name(), decision.policyName(), decision.statement()));
    if (!decision.allowed()) {
      throw new AwsException("AccessDeniedException", decision.denial(principal, request.action(), resource));
    }
  }

  /** The request as the policies see it: who, what, which secret; its condition keys are read when a policy asks. */
  private static AccessRequest request(RequestContext ctx, String resource, Map<String, String> tags, String action) {
    return AccessRequest.builder(ctx.identity().principalArn(), ctx.accountId(), "secretsmanager:" + action,
        resource).source(new SecretConditionKeys(ctx, resource, tags)).build();
  }

  /**
   * Secrets Manager's keys: {@code secretsmanager:SecretId} (the secret's ARN),
   * {@code secretsmanager:ResourceTag/K}, {@code secretsmanager:VersionStage} and
   * {@code secretsmanager:VersionId} (as the request gives them), and the global ones.
   */
  private static final class SecretConditionKeys extends GlobalConditionKeys {
    private static final String RESOURCE_TAG = "secretsmanager:resourcetag/";
    private final String resource;
    private final Map<String, String> tags;

    SecretConditionKeys(RequestContext ctx, String resource, Map<String, String> tags) {
      super(ctx.now(), ctx.sourceIp(), tags, ctx.input(), "Key", "Value");
      this.resource = resource;
      this.tags = tags;
    }

    @Override
    public List<String> valuesLower(String lowerKey) {
      return switch (lowerKey) {
        case "secretsmanager:secretid" -> resource.equals("*") ? null : List.of(resource);
        case "secretsmanager:versionstage" -> one(text("VersionStage"));
        case "secretsmanager:versionid" -> one(text("VersionId"));
        default -> lowerKey.startsWith(RESOURCE_TAG)
            ? one(ConditionKeySource.member(tags.entrySet(), lowerKey, RESOURCE_TAG.length()))
            : super.valuesLower(lowerKey);
      };
    }
  }
}
