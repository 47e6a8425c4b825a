package dev.shunt.backend.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.auth.AccessControl;
import dev.shunt.backend.auth.AccessDecisions;
import dev.shunt.backend.auth.PolicyDocument;
import dev.shunt.backend.auth.policy.AccessRequest;
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

  /** The request as the policies see it: who, what, which secret, and Secrets Manager's condition keys. */
  private static AccessRequest request(RequestContext ctx, String resource, Map<String, String> tags, String action) {
    AccessRequest.Builder request = AccessRequest.builder(ctx.identity().principalArn(), ctx.accountId(),
        "secretsmanager:" + action, resource)
        .key("aws:CurrentTime", ctx.now().toString())
        .key("aws:EpochTime", Long.toString(ctx.now().getEpochSecond()));
    if (!resource.equals("*")) {
      request.key("secretsmanager:SecretId", resource);
    }
    if (ctx.sourceIp() != null) {
      request.key("aws:SourceIp", ctx.sourceIp());
    }
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      request.key("aws:ResourceTag/" + tag.getKey(), tag.getValue());
      request.key("secretsmanager:ResourceTag/" + tag.getKey(), tag.getValue());
    }
    JsonNode input = ctx.input();
    if (input != null) {
      text(input, "VersionStage", "secretsmanager:VersionStage", request);
      text(input, "VersionId", "secretsmanager:VersionId", request);
      // aws:RequestTag/K and aws:TagKeys: the tags CreateSecret or TagResource sets, the keys UntagResource removes.
      ResourceAccess.requestTags(request, input);
    }
    return request.build();
  }

  private static void text(JsonNode input, String field, String key, AccessRequest.Builder request) {
    JsonNode value = input.get(field);
    if (value != null && value.isTextual()) {
      request.key(key, value.textValue());
    }
  }
}
