package dev.shunt.backend.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An IAM-style policy document attached to a resource (a KMS key policy, a Secrets Manager
 * resource policy): its text as given, and its statements read for the one decision Shunt makes
 * from them: may this principal perform this action? Principals and actions are matched with
 * IAM's {@code *} and {@code ?} wildcards; conditions are not evaluated, so a conditional
 * statement applies as if its condition held.
 */
public final class PolicyDocument {
  /** The outcome of evaluating a policy for one request. */
  public enum Decision { ALLOW, DENY, NONE }

  /** A statement; its actions are kept lower-cased (IAM matches actions without case). */
  private record Statement(boolean allow, List<String> principals, List<String> actions, boolean conditional) {}

  private final String text;
  private final List<Statement> statements;
  private volatile dev.shunt.backend.auth.policy.Policy compiled;
  private volatile boolean compileTried;

  private PolicyDocument(String text, List<Statement> statements) {
    this.text = text;
    this.statements = statements;
  }

  /**
   * Parses a policy; a document that cannot be read is a {@code MalformedPolicyDocumentException}
   * (the same code in every service).
   */
  public static PolicyDocument parse(String text) {
    JsonNode root;
    try {
      root = Json.readTree(text);
    } catch (IOException e) {
      throw malformed("This resource policy contains a syntax error: it is not valid JSON.");
    }
    if (root == null || !root.isObject()) {
      throw malformed("This resource policy contains a syntax error: it must be a JSON object.");
    }
    JsonNode version = root.get("Version");
    if (version != null && !version.asText().equals("2012-10-17") && !version.asText().equals("2008-10-17")) {
      throw malformed("This resource policy contains an unsupported Version: '" + version.asText() + "'.");
    }
    JsonNode statementNode = root.get("Statement");
    if (statementNode == null || !(statementNode.isArray() || statementNode.isObject())) {
      throw malformed("Policy is missing required element - Statement");
    }
    List<Statement> statements = new ArrayList<>();
    for (JsonNode statement : statementNode.isArray() ? statementNode : List.of(statementNode)) {
      if (!statement.isObject()) {
        throw malformed("Policy statement must be a JSON object");
      }
      String effect = statement.path("Effect").asText("");
      if (!effect.equals("Allow") && !effect.equals("Deny")) {
        throw malformed("Policy statement has an invalid Effect: '" + effect + "'");
      }
      JsonNode principal = statement.get("Principal");
      if (principal == null) {
        throw malformed("Policy statement is missing required element - Principal");
      }
      JsonNode action = statement.get("Action");
      if (action == null) {
        throw malformed("Policy statement is missing required element - Action");
      }
      List<String> principals = new ArrayList<>();
      if (principal.isTextual()) {
        principals.add(principal.asText());
      } else {
        strings(principal.get("AWS"), principals);
      }
      List<String> actions = new ArrayList<>();
      strings(action, actions);
      actions.replaceAll(a -> a.toLowerCase(Locale.ROOT));
      statements.add(new Statement(effect.equals("Allow"), principals, actions, statement.has("Condition")));
    }
    return new PolicyDocument(text, List.copyOf(statements));
  }

  private static AwsException malformed(String message) {
    return new AwsException("MalformedPolicyDocumentException", message);
  }

  public String text() {
    return text;
  }

  /** The document as the IAM engine reads it (conditions and all), compiled once; null if it refuses it. */
  public dev.shunt.backend.auth.policy.Policy compiled() {
    if (!compileTried) {
      try {
        compiled = dev.shunt.backend.auth.policy.Policy.parse(text, dev.shunt.backend.auth.policy.Policy.Kind.RESOURCE);
      } catch (AwsException e) {
        compiled = null;
      }
      compileTried = true;
    }
    return compiled;
  }

  /** Evaluates the statements for a principal of {@code accountId} performing {@code action} ({@code kms:Decrypt}...). */
  public Decision decide(String accountId, String principalArn, String action) {
    Decision decision = Decision.NONE;
    String lowerAction = action.toLowerCase(Locale.ROOT);
    for (Statement statement : statements) {
      if (matchesPrincipal(statement.principals, accountId, principalArn)
          && matchesAction(statement.actions, lowerAction)) {
        if (!statement.allow) {
          return Decision.DENY;
        }
        decision = Decision.ALLOW;
      }
    }
    return decision;
  }

  /** True when an unconditional Allow names every principal ({@code "*"}): what BlockPublicPolicy refuses. */
  public boolean grantsPublicAccess() {
    for (Statement statement : statements) {
      if (statement.allow && !statement.conditional && statement.principals.contains("*")) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchesAction(List<String> actions, String lowerAction) {
    for (String action : actions) {
      if (wildcard(action, lowerAction)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchesPrincipal(List<String> principals, String accountId, String principalArn) {
    for (String principal : principals) {
      if (principal.equals("*") || principal.equals(accountId) || principal.equals(principalArn)
          || (principal.startsWith("arn:") && isRootOf(principal, accountId))) {
        return true;
      }
    }
    return false;
  }

  /** Whether an ARN ends {@code :iam::ACCOUNT:root} (the account's root, i.e. the account). */
  private static boolean isRootOf(String arn, String accountId) {
    int root = arn.length() - ":root".length();
    int account = root - accountId.length();
    int iam = account - ":iam::".length();
    return iam >= 0 && arn.endsWith(":root") && arn.regionMatches(account, accountId, 0, accountId.length())
        && arn.regionMatches(iam, ":iam::", 0, ":iam::".length());
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
    return dev.shunt.backend.auth.policy.Glob.wildcard(pattern, text);
  }
}
