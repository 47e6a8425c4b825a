package dev.shunt.backend.auth.policy;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
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
  /** The keys the builder set, names lower-cased (null for none); the principal's own keys are answered from {@link #facts}. */
  private final Map<String, List<String>> keys;
  private final ConditionKeySource source;
  private final PrincipalFacts facts;

  /**
   * What a principal's ARN says, worked out once per ARN (the principals a Shunt serves are few: a
   * file's, and the roots of its admitted accounts): a role session's parts, a user's name, the
   * account it is the root of.
   */
  private record PrincipalFacts(String sessionPartition, String sessionAccount, String sessionRole,
      String rootAccount, List<String> principalArnValue, List<String> usernameValue) {
    static PrincipalFacts of(String arn) {
      String[] session = PrincipalArns.parseSession(arn);
      String[] parts = PrincipalArns.split(arn);
      String username = parts != null && parts[2].equals("iam") && parts[5].startsWith("user/")
          ? parts[5].substring(parts[5].lastIndexOf('/') + 1) : null;
      return new PrincipalFacts(session == null ? null : session[0], session == null ? null : session[1],
          session == null ? null : session[2], PrincipalArns.accountOfRoot(arn),
          List.of(session != null ? PrincipalArns.roleArnOfSession(arn) : arn),
          username == null ? null : List.of(username));
    }
  }

  /** Actions lower-cased once each (a service has a few hundred). */
  private static final ConcurrentHashMap<String, String> LOWER_ACTIONS = new ConcurrentHashMap<>();

  private static String lowerAction(String action) {
    String lower = LOWER_ACTIONS.get(action);
    if (lower == null) {
      lower = action.toLowerCase(Locale.ROOT);
      if (LOWER_ACTIONS.size() < MAX_KNOWN_PRINCIPALS) {
        LOWER_ACTIONS.put(action, lower);
      }
    }
    return lower;
  }

  private static final int MAX_KNOWN_PRINCIPALS = 10_000;
  private static final ConcurrentHashMap<String, PrincipalFacts> KNOWN = new ConcurrentHashMap<>();

  private static PrincipalFacts factsOf(String arn) {
    PrincipalFacts facts = KNOWN.get(arn);
    if (facts == null) {
      facts = PrincipalFacts.of(arn);
      if (KNOWN.size() < MAX_KNOWN_PRINCIPALS) {
        KNOWN.put(arn, facts);
      }
    }
    return facts;
  }

  private AccessRequest(Builder b) {
    this.principalArn = b.principalArn;
    this.principalAccount = b.principalAccount;
    this.action = b.action;
    this.actionLower = lowerAction(b.action);
    this.resource = b.resource;
    this.callingService = b.callingService;
    this.keys = b.keys;
    this.source = b.source;
    this.facts = factsOf(principalArn);
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
    return valuesLower(key.toLowerCase(Locale.ROOT));
  }

  List<String> valuesLower(String lowerKey) {
    List<String> values = keys == null ? null : keys.get(lowerKey);
    if (values != null) {
      return values;
    }
    return switch (lowerKey) {
      case "aws:principalarn" -> facts.principalArnValue();
      case "aws:principalaccount" -> List.of(principalAccount);
      case "aws:username" -> facts.usernameValue();
      default -> source.valuesLower(lowerKey);
    };
  }

  String actionLower() {
    return actionLower;
  }

  boolean isAccountRoot() {
    return principalAccount.equals(facts.rootAccount());
  }

  /** Whether the caller is a session of the role {@code partition/account/roleName}. */
  boolean isSessionOf(String partition, String account, String roleName) {
    return facts.sessionRole() != null && facts.sessionRole().equals(roleName)
        && facts.sessionAccount().equals(account) && facts.sessionPartition().equals(partition);
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
    private Map<String, List<String>> keys;
    private ConditionKeySource source = ConditionKeySource.NONE;

    private Builder(String principalArn, String principalAccount, String action, String resource) {
      this.principalArn = Objects.requireNonNull(principalArn, "principalArn");
      this.principalAccount = Objects.requireNonNull(principalAccount, "principalAccount");
      this.action = Objects.requireNonNull(action, "action");
      this.resource = Objects.requireNonNull(resource, "resourceArn");
    }

    /** Sets a single-valued condition key whose name is already lower-cased. */
    public Builder keyLower(String lowerName, String value) {
      keys().put(lowerName, List.of(value));
      return this;
    }

    /** Sets a single-valued condition key (replacing any earlier value). */
    public Builder key(String name, String value) {
      keys().put(name.toLowerCase(Locale.ROOT), List.of(value));
      return this;
    }

    /** Sets a multivalued condition key (replacing any earlier values); an empty list is an empty set. */
    public Builder keys(String name, List<String> values) {
      keys().put(name.toLowerCase(Locale.ROOT), List.copyOf(values));
      return this;
    }

    /** Where the keys not set here come from, looked up when a policy reads them. */
    public Builder source(ConditionKeySource source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    private Map<String, List<String>> keys() {
      if (keys == null) {
        keys = new HashMap<>(8);
      }
      return keys;
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
