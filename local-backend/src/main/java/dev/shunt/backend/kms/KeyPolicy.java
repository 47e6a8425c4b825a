package dev.shunt.backend.kms;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.core.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A key policy: its text as given, and its statements read for the one decision Shunt makes
 * from them: may this principal perform this {@code kms:} action? Principals and actions are
 * matched (with IAM's {@code *} and {@code ?} wildcards); conditions are not evaluated, so a
 * conditional statement applies as if its condition held.
 */
final class KeyPolicy {
  enum Decision { ALLOW, DENY, NONE }

  private record Statement(boolean allow, List<String> principals, List<String> actions) {}

  private final String text;
  private final List<Statement> statements;

  private KeyPolicy(String text, List<Statement> statements) {
    this.text = text;
    this.statements = statements;
  }

  static KeyPolicy defaultFor(String partition, String accountId) {
    String text = "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n  \"Statement\" : [ {\n"
        + "    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n"
        + "    \"Principal\" : {\n      \"AWS\" : \"arn:" + partition + ":iam::" + accountId + ":root\"\n    },\n"
        + "    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}";
    return parse(text);
  }

  /** Parses a policy, throwing {@code MalformedPolicyDocumentException} when it cannot be read. */
  static KeyPolicy parse(String text) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw KmsErrors.malformedPolicy("The key policy is not valid JSON.");
    }
    if (root == null || !root.isObject()) {
      throw KmsErrors.malformedPolicy("The key policy must be a JSON object.");
    }
    JsonNode statementNode = root.get("Statement");
    if (statementNode == null || !(statementNode.isArray() || statementNode.isObject())) {
      throw KmsErrors.malformedPolicy("Policy is missing required element - Statement");
    }
    List<Statement> statements = new ArrayList<>();
    for (JsonNode statement : statementNode.isArray() ? statementNode : List.of(statementNode)) {
      String effect = statement.path("Effect").asText("");
      if (!effect.equals("Allow") && !effect.equals("Deny")) {
        throw KmsErrors.malformedPolicy("Policy statement has an invalid Effect: '" + effect + "'");
      }
      JsonNode principal = statement.get("Principal");
      if (principal == null) {
        throw KmsErrors.malformedPolicy("Policy statement is missing required element - Principal");
      }
      JsonNode action = statement.get("Action");
      if (action == null) {
        throw KmsErrors.malformedPolicy("Policy statement is missing required element - Action");
      }
      List<String> principals = new ArrayList<>();
      if (principal.isTextual()) {
        principals.add(principal.asText());
      } else {
        strings(principal.get("AWS"), principals);
      }
      List<String> actions = new ArrayList<>();
      strings(action, actions);
      statements.add(new Statement(effect.equals("Allow"), principals, actions));
    }
    return new KeyPolicy(text, List.copyOf(statements));
  }

  String text() {
    return text;
  }

  Decision decide(String accountId, String principalArn, String action) {
    Decision decision = Decision.NONE;
    String kmsAction = "kms:" + action;
    for (Statement statement : statements) {
      if (matchesPrincipal(statement.principals, accountId, principalArn)
          && statement.actions.stream().anyMatch(a -> wildcard(a.toLowerCase(Locale.ROOT),
              kmsAction.toLowerCase(Locale.ROOT)))) {
        if (!statement.allow) {
          return Decision.DENY;
        }
        decision = Decision.ALLOW;
      }
    }
    return decision;
  }

  private static boolean matchesPrincipal(List<String> principals, String accountId, String principalArn) {
    for (String principal : principals) {
      if (principal.equals("*") || principal.equals(accountId) || principal.equals(principalArn)) {
        return true;
      }
      if (principal.startsWith("arn:") && principal.endsWith(":iam::" + accountId + ":root")) {
        return true;
      }
    }
    return false;
  }

  private static void strings(JsonNode node, List<String> into) {
    if (node == null) {
      return;
    }
    if (node.isArray()) {
      node.forEach(n -> into.add(n.asText()));
    } else {
      into.add(node.asText());
    }
  }

  /** IAM wildcard match: {@code *} any run of characters, {@code ?} any one character. */
  static boolean wildcard(String pattern, String text) {
    int p = 0;
    int t = 0;
    int star = -1;
    int mark = 0;
    while (t < text.length()) {
      if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
        p++;
        t++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        mark = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
