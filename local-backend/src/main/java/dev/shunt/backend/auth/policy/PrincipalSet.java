package dev.shunt.backend.auth.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The compiled Principal (or NotPrincipal) of a resource-policy statement, and how a caller matches
 * it: {@link #DIRECT} (named by its ARN, its role, {@code "*"}, its calling service, or the account
 * when the caller is the account's root), {@link #ACCOUNT} (only through its account: delegation to
 * the account's IAM policies), or {@link #NO}.
 */
final class PrincipalSet {
  static final int NO = 0;
  static final int ACCOUNT = 1;
  static final int DIRECT = 2;

  private final boolean everyone;
  private final String[] arns;
  private final String[] accounts;
  /** {partition, account, name} of each role principal. */
  private final String[][] roles;
  private final String[] services;

  private PrincipalSet(boolean everyone, String[] arns, String[] accounts, String[][] roles, String[] services) {
    this.everyone = everyone;
    this.arns = arns;
    this.accounts = accounts;
    this.roles = roles;
    this.services = services;
  }

  static PrincipalSet parse(JsonNode node, String where) {
    if (node.isTextual()) {
      if (!node.asText().equals("*")) {
        throw Policy.malformed(where + " must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::111122223333:root\"}.");
      }
      return new PrincipalSet(true, new String[0], new String[0], new String[0][], new String[0]);
    }
    if (!node.isObject() || node.isEmpty()) {
      throw Policy.malformed(where + " must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::111122223333:root\"}.");
    }
    boolean everyone = false;
    List<String> arns = new ArrayList<>();
    List<String> accounts = new ArrayList<>();
    List<String[]> roles = new ArrayList<>();
    List<String> services = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      List<String> values = Policy.strings(e.getValue(), where, e.getKey());
      switch (e.getKey()) {
        case "AWS" -> {
          for (String v : values) {
            if (v.equals("*")) {
              everyone = true;
            } else if (PrincipalArns.isAccountId(v)) {
              accounts.add(v);
            } else if (PrincipalArns.accountOfRoot(v) != null) {
              accounts.add(PrincipalArns.accountOfRoot(v));
            } else if (PrincipalArns.parseRole(v) != null) {
              roles.add(PrincipalArns.parseRole(v));
              arns.add(v);
            } else if (PrincipalArns.split(v) != null || isUniqueId(v)) {
              arns.add(v);
            } else {
              throw Policy.malformed(where + " has an invalid principal: '" + v + "'");
            }
          }
        }
        case "Service" -> services.addAll(values);
        case "Federated", "CanonicalUser" -> arns.addAll(values);
        default -> throw Policy.malformed(where + " has an unknown principal type: " + e.getKey());
      }
    }
    return new PrincipalSet(everyone, arns.toArray(new String[0]), accounts.toArray(new String[0]),
        roles.toArray(new String[0][]), services.toArray(new String[0]));
  }

  /** An IAM unique id (AIDA..., AROA...): what AWS shows for a principal that was deleted; it never matches a caller. */
  private static boolean isUniqueId(String v) {
    if (v.length() < 16 || v.length() > 128) {
      return false;
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')) {
        return false;
      }
    }
    return true;
  }

  int match(AccessRequest request) {
    if (everyone) {
      return DIRECT;
    }
    String caller = request.principalArn();
    for (String arn : arns) {
      if (arn.equals(caller)) {
        return DIRECT;
      }
    }
    for (String[] role : roles) {
      if (request.isSessionOf(role[0], role[1], role[2])) {
        return DIRECT;
      }
    }
    String service = request.callingService();
    if (service != null) {
      for (String s : services) {
        if (s.equals(service)) {
          return DIRECT;
        }
      }
    }
    String account = request.principalAccount();
    for (String a : accounts) {
      if (a.equals(account)) {
        return request.isAccountRoot() ? DIRECT : ACCOUNT;
      }
    }
    return NO;
  }
}
