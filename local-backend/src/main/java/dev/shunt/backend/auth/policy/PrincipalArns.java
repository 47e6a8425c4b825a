package dev.shunt.backend.auth.policy;

/**
 * ARN helpers for principals: a role session's role, an account's root. A session ARN
 * ({@code arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION}) does not carry the role's path, so a
 * role is recognised by partition, account and name.
 */
public final class PrincipalArns {
  private PrincipalArns() {}

  /**
   * The role ARN ({@code arn:PARTITION:iam::ACCOUNT:role/ROLE}, without path) of an STS assumed-role
   * session ARN; null when {@code sessionArn} is not one.
   */
  public static String roleArnOfSession(String sessionArn) {
    String[] session = parseSession(sessionArn);
    return session == null ? null : "arn:" + session[0] + ":iam::" + session[1] + ":role/" + session[2];
  }

  /** The root ARN of an account: {@code arn:PARTITION:iam::ACCOUNT:root}. */
  public static String accountRoot(String partition, String account) {
    return "arn:" + partition + ":iam::" + account + ":root";
  }

  /** Whether {@code arn} is {@code arn:PARTITION:iam::ACCOUNT:root} for some partition and account. */
  public static boolean isAccountRoot(String arn) {
    return accountOfRoot(arn) != null;
  }

  /** The account of a root ARN, or null when {@code arn} is not an account root. */
  static String accountOfRoot(String arn) {
    String[] parts = split(arn);
    if (parts == null || !parts[2].equals("iam") || !parts[4].matches("\\d{12}") || !parts[5].equals("root")) {
      return null;
    }
    return parts[4];
  }

  /** Whether {@code s} is a 12-digit account id. */
  static boolean isAccountId(String s) {
    if (s.length() != 12) {
      return false;
    }
    for (int i = 0; i < 12; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** {partition, account, role name, session name} of an assumed-role session ARN, or null. */
  static String[] parseSession(String arn) {
    String[] parts = split(arn);
    if (parts == null || !parts[2].equals("sts") || !parts[5].startsWith("assumed-role/")) {
      return null;
    }
    String rest = parts[5].substring("assumed-role/".length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      return null;
    }
    return new String[] {parts[1], parts[4], rest.substring(0, slash), rest.substring(slash + 1)};
  }

  /** {partition, account, role name} of an IAM role ARN (any path), or null. */
  static String[] parseRole(String arn) {
    String[] parts = split(arn);
    if (parts == null || !parts[2].equals("iam") || !parts[5].startsWith("role/")) {
      return null;
    }
    String name = parts[5].substring(parts[5].lastIndexOf('/') + 1);
    return name.isEmpty() ? null : new String[] {parts[1], parts[4], name};
  }

  /** The six components of an ARN ({@code arn}, partition, service, region, account, resource), or null. */
  static String[] split(String arn) {
    if (arn == null || !arn.startsWith("arn:")) {
      return null;
    }
    String[] parts = new String[6];
    int from = 0;
    for (int i = 0; i < 5; i++) {
      int colon = arn.indexOf(':', from);
      if (colon < 0) {
        return null;
      }
      parts[i] = arn.substring(from, colon);
      from = colon + 1;
    }
    parts[5] = arn.substring(from);
    return parts;
  }
}
