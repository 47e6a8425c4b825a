package dev.shunt.backend.auth.policy;

import java.util.List;

/**
 * KMS's access decision from a key policy and the caller's identity policies, as AWS documents it
 * ("Determining access to an AWS KMS key"):
 * <ol>
 *   <li>an explicit Deny in the key policy or in an identity policy denies;</li>
 *   <li>for a caller of the key's account, a key policy Allow naming the caller directly (its ARN,
 *       its role for a role session, {@code "*"}, or the account when the caller is the account's
 *       root) allows;</li>
 *   <li>a key policy Allow to the caller's account (root ARN or account id) delegates to IAM: an
 *       identity policy of the caller allowing the action on the key allows, else no access;</li>
 *   <li>a caller of another account needs both the key policy to allow it (its account or itself)
 *       and an identity policy of its own to allow (the other account's root needs none: it holds
 *       every permission of its account);</li>
 *   <li>else no access (which a caller answers with AccessDeniedException).</li>
 * </ol>
 * The request's resource must be the key's ARN (identity policies are matched against it).
 */
public final class KmsAccess {
  /** The name a decision gives the key policy. */
  public static final String KEY_POLICY = "key policy";

  private KmsAccess() {}

  /** Why a decision went the way it did. */
  public enum Reason {
    EXPLICIT_DENY_IN_KEY_POLICY,
    EXPLICIT_DENY_IN_IDENTITY_POLICY,
    NO_KEY_POLICY_ALLOWS,
    NO_IDENTITY_POLICY_ALLOWS,
    ALLOWED_BY_KEY_POLICY,
    ALLOWED_BY_IDENTITY_POLICY
  }

  /**
   * A decision: its effect ({@code ALLOW}, {@code DENY} for an explicit deny, {@code NONE} for no
   * allow), why, and the deciding policy and statement ({@code statementIndex} from 0, {@code sid} or
   * null). For {@link Reason#NO_IDENTITY_POLICY_ALLOWS} the statement is the key policy's that
   * delegated to IAM; for {@link Reason#NO_KEY_POLICY_ALLOWS} there is none (null, -1).
   */
  public record Decision(Verdict.Effect effect, Reason reason, String policyName, int statementIndex, String sid) {
    /** "#0" to "#15", so that naming a statement without a Sid costs a request nothing. */
    private static final String[] INDEXES = java.util.stream.IntStream.range(0, 16).mapToObj(i -> "#" + i)
        .toArray(String[]::new);

    public boolean allowed() {
      return effect == Verdict.Effect.ALLOW;
    }

    /** The deciding statement: its Sid, else {@code #index}; null when there is none. */
    public String statement() {
      if (statementIndex < 0) {
        return null;
      }
      if (sid != null && !sid.isEmpty()) {
        return sid;
      }
      return statementIndex < INDEXES.length ? INDEXES[statementIndex] : "#" + statementIndex;
    }

    /** A sentence for a log or an error message. */
    public String explain() {
      String where = policyName == null ? "" : statementIndex < 0 ? " (" + policyName + ")"
          : " (" + policyName + ", statement " + statement() + ")";
      return reason + where;
    }

    static Decision of(Reason reason, String policyName, Verdict verdict, Verdict.Effect effect) {
      return new Decision(effect, reason, policyName, verdict.statementIndex(), verdict.sid());
    }
  }

  /**
   * Decides whether {@code request} (resource = the key's ARN) may proceed, given the key's policy,
   * the caller's identity policies and the account that owns the key.
   */
  public static Decision decide(Policy keyPolicy, List<NamedPolicy> identityPolicies, AccessRequest request,
      String keyAccountId) {
    Verdict key = keyPolicy.evaluate(request);
    if (key.denied()) {
      return Decision.of(Reason.EXPLICIT_DENY_IN_KEY_POLICY, KEY_POLICY, key, Verdict.Effect.DENY);
    }
    NamedPolicy identityAllow = null;
    Verdict identityVerdict = null;
    for (NamedPolicy p : identityPolicies) {
      Verdict v = p.policy().evaluate(request);
      if (v.denied()) {
        return Decision.of(Reason.EXPLICIT_DENY_IN_IDENTITY_POLICY, p.name(), v, Verdict.Effect.DENY);
      }
      if (v.allowed() && identityAllow == null) {
        identityAllow = p;
        identityVerdict = v;
      }
    }
    if (!key.allowed()) {
      return new Decision(Verdict.Effect.NONE, Reason.NO_KEY_POLICY_ALLOWS, KEY_POLICY, -1, null);
    }
    boolean sameAccount = request.principalAccount().equals(keyAccountId);
    if (sameAccount) {
      Verdict direct = keyPolicy.evaluate(request, Policy.PrincipalMatch.DIRECT);
      if (direct.allowed()) {
        return Decision.of(Reason.ALLOWED_BY_KEY_POLICY, KEY_POLICY, direct, Verdict.Effect.ALLOW);
      }
    } else if (request.isAccountRoot()) {
      return Decision.of(Reason.ALLOWED_BY_KEY_POLICY, KEY_POLICY, key, Verdict.Effect.ALLOW);
    }
    if (identityAllow != null) {
      return Decision.of(Reason.ALLOWED_BY_IDENTITY_POLICY, identityAllow.name(), identityVerdict,
          Verdict.Effect.ALLOW);
    }
    return Decision.of(Reason.NO_IDENTITY_POLICY_ALLOWS, KEY_POLICY, key, Verdict.Effect.NONE);
  }
}
