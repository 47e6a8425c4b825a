package dev.shunt.backend.ssm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.auth.AccessControl;
import dev.shunt.backend.auth.AccessDecisions;
import dev.shunt.backend.auth.policy.AccessRequest;
import dev.shunt.backend.auth.policy.ConditionKeySource;
import dev.shunt.backend.auth.policy.GlobalConditionKeys;
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
 * <p>Condition keys, read when a policy in play asks for one: {@code ssm:Overwrite},
 * {@code ssm:Recursive}, {@code ssm:resourceTag/K} and {@code aws:ResourceTag/K} (the parameter's
 * tags), {@code aws:RequestTag/K} and {@code aws:TagKeys} (the tags PutParameter or
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
    AccessRequest request = request(ctx, "ssm:" + action, resource, tags);
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
    AccessRequest request = request(ctx, "ssm:DescribeParameters", parameter.arn, tags);
    return ResourceAccess.decide(policies, control.identityPolicies(principal), request,
        parameter.storeKey().account()).allowed();
  }

  /** The request as the policies see it: who, what, which parameter; its condition keys are read when a policy asks. */
  private static AccessRequest request(RequestContext ctx, String action, String resource, Map<String, String> tags) {
    return AccessRequest.builder(ctx.identity().principalArn(), ctx.accountId(), action, resource)
        .source(new ParameterConditionKeys(ctx, tags)).build();
  }

  /**
   * Parameter Store's keys: {@code ssm:Overwrite} (PutParameter), {@code ssm:Recursive}
   * (GetParametersByPath), {@code ssm:resourceTag/K} (the parameter's tags), and the global ones.
   */
  private static final class ParameterConditionKeys extends GlobalConditionKeys {
    private static final String RESOURCE_TAG = "ssm:resourcetag/";
    private final JsonNode input;
    private final Map<String, String> tags;

    ParameterConditionKeys(RequestContext ctx, Map<String, String> tags) {
      super(ctx.now(), ctx.sourceIp(), tags, ctx.input(), "Key", "Value");
      this.input = ctx.input();
      this.tags = tags;
    }

    @Override
    public List<String> valuesLower(String lowerKey) {
      return switch (lowerKey) {
        case "ssm:overwrite" -> flag("Overwrite");
        case "ssm:recursive" -> flag("Recursive");
        default -> lowerKey.startsWith(RESOURCE_TAG)
            ? one(ConditionKeySource.member(tags.entrySet(), lowerKey, RESOURCE_TAG.length()))
            : super.valuesLower(lowerKey);
      };
    }

    private List<String> flag(String field) {
      JsonNode value = input == null ? null : input.get(field);
      return value == null || !value.isBoolean() ? null : List.of(Boolean.toString(value.booleanValue()));
    }
  }
}
