package dev.shunt.backend.ssm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.auth.AccessControl;
import dev.shunt.backend.auth.AccessDecisions;
import dev.shunt.backend.auth.policy.AccessRequest;
import dev.shunt.backend.auth.policy.ConditionKeys;
import dev.shunt.backend.auth.policy.NamedPolicy;
import dev.shunt.backend.auth.policy.ResourceAccess;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.RequestContext;
import java.util.List;
import java.util.Map;

/**
 * Whether a caller may act on a parameter, as Parameter Store decides it ({@link ResourceAccess}):
 * in the parameter's account the caller's identity policies decide ({@code ssm:ACTION} on the
 * parameter's ARN) and the account's root may do anything; another account's caller (naming the
 * parameter by its ARN) needs a resource policy of the parameter (PutResourcePolicy) allowing it as
 * well as an identity policy of its own; an explicit Deny anywhere wins. Without a principals file
 * every caller is its account's root: its own parameters are all its own, another account's only
 * where their resource policies allow.
 *
 * <p>Condition keys, built only when a policy in play reads them: {@code aws:ResourceTag/K} (the
 * parameter's tags), {@code aws:RequestTag/K} and {@code aws:TagKeys} (the tags PutParameter or
 * AddTagsToResource sets, the keys RemoveTagsFromResource removes), {@code aws:SourceIp},
 * {@code aws:CurrentTime}, {@code aws:EpochTime}, and the principal's own. Under a principals file
 * each decision goes to {@code GET /_shunt/explain}.
 */
final class SsmAuthorization {
  private volatile AccessControl access = AccessControl.OFF;

  void accessControl(AccessControl access) {
    this.access = access;
  }

  boolean enabled() {
    return access.enabled();
  }

  /**
   * Checks {@code ssm:ACTION} on {@code resource} (a parameter's ARN, or {@code *}) of
   * {@code ownerAccount}, with the parameter's tags and resource policies (none: empty).
   */
  void authorize(RequestContext ctx, String action, String resource, String ownerAccount, Map<String, String> tags,
      List<NamedPolicy> resourcePolicies) {
    AccessControl control = access;
    boolean sameAccount = ownerAccount.equals(ctx.accountId());
    if (!control.enabled() && sameAccount) {
      return;
    }
    String principal = ctx.identity().principalArn();
    List<NamedPolicy> identity = control.identityPolicies(principal);
    AccessRequest request = request(ctx, "ssm:" + action, resource, tags, control.conditionKeys(principal),
        resourcePolicies);
    ResourceAccess.Decision decision = ResourceAccess.decide(resourcePolicies, identity, request, ownerAccount);
    if (control.enabled()) {
      control.decisions().add(new AccessDecisions.Decision(ctx.now(), ctx.requestId(), principal, request.action(),
          resource, decision.allowed(), decision.reason().name(), decision.policyName(), decision.statement()));
    }
    if (!decision.allowed()) {
      throw new AwsException("AccessDeniedException", decision.denial(principal, request.action(), resource));
    }
  }

  /**
   * Whether DescribeParameters' Shared option lists another account's parameter to the caller:
   * its resource policies (and, under a principals file, the caller's identity policies) allow
   * {@code ssm:DescribeParameters} on it. Not recorded: a listing decides once per parameter.
   */
  boolean sharedWith(RequestContext ctx, Parameter parameter) {
    AccessControl control = access;
    String principal = ctx.identity().principalArn();
    List<NamedPolicy> policies = parameter.accessPolicies();
    Map<String, String> tags;
    synchronized (parameter) {
      tags = Map.copyOf(parameter.tags);
    }
    AccessRequest request = request(ctx, "ssm:DescribeParameters", parameter.arn, tags,
        control.conditionKeys(principal), policies);
    return ResourceAccess.decide(policies, control.identityPolicies(principal), request,
        parameter.storeKey().account()).allowed();
  }

  /** The request as the policies see it: who, what, which parameter, and the condition keys they read. */
  private static AccessRequest request(RequestContext ctx, String action, String resource, Map<String, String> tags,
      ConditionKeys identityKeys, List<NamedPolicy> resourcePolicies) {
    AccessRequest.Builder request = AccessRequest.builder(ctx.identity().principalArn(), ctx.accountId(), action,
        resource);
    if (identityKeys == ConditionKeys.NONE && noKeys(resourcePolicies)) {
      return request.build();
    }
    if (wants(identityKeys, resourcePolicies, "aws:currenttime")) {
      request.keyLower("aws:currenttime", ctx.now().toString());
    }
    if (wants(identityKeys, resourcePolicies, "aws:epochtime")) {
      request.keyLower("aws:epochtime", Long.toString(ctx.now().getEpochSecond()));
    }
    if (ctx.sourceIp() != null && wants(identityKeys, resourcePolicies, "aws:sourceip")) {
      request.keyLower("aws:sourceip", ctx.sourceIp());
    }
    if (!tags.isEmpty() && wantsFamily(identityKeys, resourcePolicies, "aws:resourcetag/")) {
      for (Map.Entry<String, String> tag : tags.entrySet()) {
        request.key("aws:ResourceTag/" + tag.getKey(), tag.getValue());
      }
    }
    JsonNode input = ctx.input();
    if (input != null && (input.has("Tags") || input.has("TagKeys"))
        && (wantsFamily(identityKeys, resourcePolicies, "aws:requesttag/")
        || wants(identityKeys, resourcePolicies, "aws:tagkeys"))) {
      ResourceAccess.requestTags(request, input);
    }
    return request.build();
  }

  private static boolean noKeys(List<NamedPolicy> policies) {
    for (int i = 0; i < policies.size(); i++) {
      if (policies.get(i).policy().conditionKeys() != ConditionKeys.NONE) {
        return false;
      }
    }
    return true;
  }

  private static boolean wants(ConditionKeys identity, List<NamedPolicy> policies, String lowerName) {
    if (identity.wantsLower(lowerName)) {
      return true;
    }
    for (int i = 0; i < policies.size(); i++) {
      if (policies.get(i).policy().conditionKeys().wantsLower(lowerName)) {
        return true;
      }
    }
    return false;
  }

  private static boolean wantsFamily(ConditionKeys identity, List<NamedPolicy> policies, String prefix) {
    if (identity.wantsFamily(prefix)) {
      return true;
    }
    for (int i = 0; i < policies.size(); i++) {
      if (policies.get(i).policy().conditionKeys().wantsFamily(prefix)) {
        return true;
      }
    }
    return false;
  }
}
