package dev.shunt.backend.auth.policy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Who asks to do what to which resource, and the condition keys of the request (names
 * case-insensitive; values one or many strings). Built once per request; everything a policy
 * evaluation needs (the lower-cased action, the role of a session, whether the caller is an
 * account root) is computed here, so evaluating allocates nothing.
 *
 * <p>{@code aws:PrincipalArn} and {@code aws:PrincipalAccount} are always present unless set
 * explicitly: the account is the builder's, the ARN is the principal's, except for a role session
 * where it is the role's ARN (as in AWS, though without the role's path, which a session ARN does
 * not carry). {@code aws:username} is set for an IAM user (the last part of its ARN).
 */
public final class AccessRequest {
  private final String principalArn;
  private final String principalAccount;
  private final String action;
  private final String actionLower;
  private final String resource;
  private final String callingService;
  private final Map<String, List<String>> keys;
  // A role session's partition, account and role name (null when the caller is not a session).
  private final String sessionPartition;
  private final String sessionAccount;
  private final String sessionRole;
  private final boolean accountRoot;

  private AccessRequest(Builder b) {
    this.principalArn = b.principalArn;
    this.principalAccount = b.principalAccount;
    this.action = b.action;
    this.actionLower = b.action.toLowerCase(Locale.ROOT);
    this.resource = b.resource;
    this.callingService = b.callingService;
    String[] session = PrincipalArns.parseSession(principalArn);
    this.sessionPartition = session == null ? null : session[0];
    this.sessionAccount = session == null ? null : session[1];
    this.sessionRole = session == null ? null : session[2];
    this.accountRoot = principalAccount.equals(PrincipalArns.accountOfRoot(principalArn));
    Map<String, List<String>> keys = new HashMap<>(b.keys);
    keys.putIfAbsent("aws:principalarn",
        List.of(session != null ? PrincipalArns.roleArnOfSession(principalArn) : principalArn));
    keys.putIfAbsent("aws:principalaccount", List.of(principalAccount));
    String[] arn = PrincipalArns.split(principalArn);
    if (arn != null && arn[2].equals("iam") && arn[5].startsWith("user/")) {
      keys.putIfAbsent("aws:username", List.of(arn[5].substring(arn[5].lastIndexOf('/') + 1)));
    }
    this.keys = Map.copyOf(keys);
  }

  /**
   * A request by {@code principalArn} (a user, a role, a role session
   * {@code arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION}, or an account root) of account
   * {@code principalAccount}, for {@code action} ({@code kms:Decrypt}) on {@code resourceArn}.
   */
  public static Builder builder(String principalArn, String principalAccount, String action, String resourceArn) {
    return new Builder(principalArn, principalAccount, action, resourceArn);
  }

  public String principalArn() {
    return principalArn;
  }

  public String principalAccount() {
    return principalAccount;
  }

  public String action() {
    return action;
  }

  public String resource() {
    return resource;
  }

  /** The AWS service calling on the principal's behalf ({@code kms.amazonaws.com}), or null. */
  public String callingService() {
    return callingService;
  }

  /** The values of a condition key (name case-insensitive), or null when the request lacks it. */
  public List<String> values(String key) {
    return keys.get(key.toLowerCase(Locale.ROOT));
  }

  /** All condition keys, names lower-cased. */
  public Map<String, List<String>> keys() {
    return keys;
  }

  List<String> valuesLower(String lowerKey) {
    return keys.get(lowerKey);
  }

  String actionLower() {
    return actionLower;
  }

  boolean isAccountRoot() {
    return accountRoot;
  }

  /** Whether the caller is a session of the role {@code partition/account/roleName}. */
  boolean isSessionOf(String partition, String account, String roleName) {
    return sessionRole != null && sessionRole.equals(roleName) && sessionAccount.equals(account)
        && sessionPartition.equals(partition);
  }

  @Override
  public String toString() {
    return "AccessRequest[" + principalArn + " (" + principalAccount + ") " + action + " on " + resource
        + (callingService == null ? "" : " via " + callingService) + ", keys=" + keys + "]";
  }

  /** Builds an {@link AccessRequest}; condition key names are case-insensitive. */
  public static final class Builder {
    private final String principalArn;
    private final String principalAccount;
    private final String action;
    private final String resource;
    private String callingService;
    private final Map<String, List<String>> keys = new LinkedHashMap<>();

    private Builder(String principalArn, String principalAccount, String action, String resource) {
      this.principalArn = Objects.requireNonNull(principalArn, "principalArn");
      this.principalAccount = Objects.requireNonNull(principalAccount, "principalAccount");
      this.action = Objects.requireNonNull(action, "action");
      this.resource = Objects.requireNonNull(resource, "resourceArn");
    }

    /** Sets a single-valued condition key (replacing any earlier value). */
    public Builder key(String name, String value) {
      keys.put(name.toLowerCase(Locale.ROOT), List.of(value));
      return this;
    }

    /** Sets a multivalued condition key (replacing any earlier values); an empty list is an empty set. */
    public Builder keys(String name, List<String> values) {
      keys.put(name.toLowerCase(Locale.ROOT), List.copyOf(values));
      return this;
    }

    /** The AWS service making the call for the principal, matched by a {@code {"Service": ...}} principal. */
    public Builder callingService(String service) {
      this.callingService = service;
      return this;
    }

    public AccessRequest build() {
      return new AccessRequest(this);
    }
  }
}
