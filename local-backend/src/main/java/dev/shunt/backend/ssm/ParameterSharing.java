package dev.shunt.backend.ssm;

import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.PageTokens;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.store.Persistence;
import java.util.ArrayList;
import java.util.List;

/**
 * Parameter resource policies, which share an advanced parameter with other accounts:
 * PutResourcePolicy, GetResourcePolicies and DeleteResourcePolicy, with AWS's prerequisites for
 * sharing. Who may then read a shared parameter is {@link SsmAuthorization}'s to decide.
 */
final class ParameterSharing {
  private static final String RESOURCE_POLICIES = "ssm.GetResourcePolicies";

  private final SsmBackend ssm;
  private final SecureStrings secure;

  ParameterSharing(SsmBackend ssm, SecureStrings secure) {
    this.ssm = ssm;
    this.secure = secure;
  }

  /** PutResourcePolicy's answer. */
  record PolicyPut(String policyId, String policyHash) {}

  /**
   * PutResourcePolicy: adds a policy sharing the parameter (no PolicyId), or replaces the one
   * {@code policyId} names when {@code policyHash} is still its hash. Only an advanced parameter
   * can be shared, and a SecureString only under a customer managed key.
   */
  PolicyPut putResourcePolicy(RequestContext ctx, String resourceArn, String policy, String policyId,
      String policyHash) {
    Parameter parameter = shareable(ctx, resourceArn, "PutResourcePolicy");
    if (policyId == null && policyHash != null) {
      throw SsmErrors.policyInvalidParameter("PolicyHash names the version of an existing policy: give its PolicyId "
          + "too, or neither to add a policy.");
    }
    if (policyId != null && policyHash == null) {
      throw SsmErrors.policyInvalidParameter("To update the policy " + policyId + ", give its PolicyHash as "
          + "PutResourcePolicy or GetResourcePolicies last answered it.");
    }
    checkShareable(ctx.accountId(), ctx.region(), parameter);
    ParameterResourcePolicies.check(policy, parameter.arn);
    synchronized (parameter) {
      if (parameter.deleted) {
        throw SsmErrors.resourceNotFound();
      }
      checkShareable(ctx.accountId(), ctx.region(), parameter);
      List<ParameterResourcePolicies.Entry> policies = new ArrayList<>(parameter.resourcePolicies());
      ParameterResourcePolicies.Entry made;
      if (policyId == null) {
        if (policies.size() >= ParameterResourcePolicies.MAX_POLICIES) {
          throw SsmErrors.policyLimit("The parameter has " + policies.size() + " resource policies, the most it can "
              + "have; update or delete one.");
        }
        made = ParameterResourcePolicies.Entry.of(java.util.UUID.randomUUID().toString(), policy);
        policies.add(made);
      } else {
        int at = indexOf(policies, policyId, policyHash);
        made = ParameterResourcePolicies.Entry.of(policyId, policy);
        policies.set(at, made);
      }
      parameter.resourcePolicies(policies);
      ssm.region(ctx.accountId(), ctx.region()).shared.add(parameter.key);
      Persistence.touched(parameter);
      return new PolicyPut(made.id(), made.hash());
    }
  }

  /** GetResourcePolicies: the parameter's policies, oldest first, a page at a time. */
  SsmBackend.Page<ParameterResourcePolicies.Entry> getResourcePolicies(RequestContext ctx, String resourceArn, int maxResults,
      String nextToken) {
    Parameter parameter = shareable(ctx, resourceArn, "GetResourcePolicies");
    List<ParameterResourcePolicies.Entry> policies = parameter.resourcePolicies();
    int from = nextToken == null ? 0 : PageTokens.openOffset(RESOURCE_POLICIES, nextToken, policies.size());
    if (from < 0) {
      throw SsmErrors.policyInvalidParameter("The NextToken is not one GetResourcePolicies gave for this parameter.");
    }
    int to = Math.min(policies.size(), from + maxResults);
    return new SsmBackend.Page<>(List.copyOf(policies.subList(from, to)),
        to < policies.size() ? PageTokens.sealOffset(RESOURCE_POLICIES, to) : null);
  }

  /** DeleteResourcePolicy: removes the policy {@code policyId} names while {@code policyHash} is still its hash. */
  void deleteResourcePolicy(RequestContext ctx, String resourceArn, String policyId, String policyHash) {
    Parameter parameter = shareable(ctx, resourceArn, "DeleteResourcePolicy");
    synchronized (parameter) {
      if (parameter.deleted) {
        throw SsmErrors.resourceNotFound();
      }
      List<ParameterResourcePolicies.Entry> policies = new ArrayList<>(parameter.resourcePolicies());
      policies.remove(indexOf(policies, policyId, policyHash));
      parameter.resourcePolicies(policies);
      if (policies.isEmpty()) {
        ssm.region(ctx.accountId(), ctx.region()).shared.remove(parameter.key);
      }
      Persistence.touched(parameter);
    }
  }

  private static int indexOf(List<ParameterResourcePolicies.Entry> policies, String policyId, String policyHash) {
    for (int i = 0; i < policies.size(); i++) {
      ParameterResourcePolicies.Entry policy = policies.get(i);
      if (policy.id().equals(policyId)) {
        if (!policy.hash().equals(policyHash)) {
          throw SsmErrors.policyConflict(policyId);
        }
        return i;
      }
    }
    throw SsmErrors.policyNotFound(policyId);
  }

  /**
   * The parameter a resource policy operation's ResourceArn names, once the caller may do
   * {@code action} on it: a parameter's ARN in this Region and partition
   * (ResourcePolicyInvalidParameterException otherwise), of a parameter that exists
   * (ResourceNotFoundException). Another account's parameter is never shareable by the caller:
   * its policies can allow only reads, so the access check refuses first.
   */
  private Parameter shareable(RequestContext ctx, String resourceArn, String action) {
    String[] scope = ParameterNames.arnScope(resourceArn);
    if (scope == null || scope[2].isEmpty()) {
      throw SsmErrors.policyInvalidParameter("The ResourceArn " + resourceArn + " is not a parameter's ARN "
          + "(arn:" + ctx.partition() + ":ssm:" + ctx.region() + ":ACCOUNT:parameter/NAME); Shunt keeps resource "
          + "policies for parameters only.");
    }
    if (!scope[0].equals(ctx.partition()) || !scope[1].equals(ctx.region())) {
      throw SsmErrors.policyInvalidParameter("The ResourceArn " + resourceArn + " names a parameter in "
          + scope[0] + "/" + scope[1] + ", not in this request's " + ctx.partition() + "/" + ctx.region() + ".");
    }
    String name = ParameterNames.unwrapArn(resourceArn);
    try {
      ParameterNames.checkReadable(name);
    } catch (AwsException e) {
      throw SsmErrors.policyInvalidParameter("The ResourceArn " + resourceArn + " names no parameter: "
          + e.getMessage());
    }
    ssm.authorize(ctx, action, resourceArn);
    Parameter parameter = scope[2].equals(ctx.accountId()) ? ssm.lookup(ctx, name) : null;
    if (parameter == null) {
      throw SsmErrors.resourceNotFound();
    }
    ctx.audit().parameter(parameter.name, parameter.arn, ctx.accountId());
    return parameter;
  }

  /**
   * Whether the parameter may be shared (AWS user guide, "Prerequisites for sharing parameters"):
   * it is in the advanced tier, and a SecureString is encrypted under a customer managed key (AWS
   * managed keys cannot be shared); ResourcePolicyInvalidParameterException otherwise.
   */
  void checkShareable(String accountId, String region, Parameter parameter) {
    ParameterVersion latest;
    synchronized (parameter) {
      latest = parameter.latest();
    }
    if (latest == null) {
      throw SsmErrors.resourceNotFound();
    }
    if (!latest.tier.equals(SsmBackend.ADVANCED)) {
      throw SsmErrors.policyInvalidParameter("The parameter " + parameter.name + " is in the " + latest.tier
          + " tier. To share a parameter, it must be in the advanced parameter tier.");
    }
    if (latest.secure() && secure.awsManaged(accountId, region, latest)) {
      throw SsmErrors.policyInvalidParameter("The SecureString parameter " + parameter.name + " is encrypted with "
          + "the AWS managed key " + SecureStrings.DEFAULT_KEY + ". To share a SecureString parameter, it must be "
          + "encrypted with a customer managed key; AWS managed keys cannot be shared.");
    }
  }
}
