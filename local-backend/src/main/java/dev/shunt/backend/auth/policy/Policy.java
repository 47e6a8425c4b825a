package dev.shunt.backend.auth.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An IAM policy document, parsed and compiled once (actions lower-cased, numbers, dates and CIDRs
 * parsed), then evaluated for many requests without allocating: a matching Deny statement gives
 * {@link Verdict.Effect#DENY}, else a matching Allow {@link Verdict.Effect#ALLOW}, else
 * {@link Verdict#NONE}; the verdict names the statement that decided (the first matching Deny, else
 * the first matching Allow).
 *
 * <p>An identity policy (attached to a user or role) has no Principal and needs Resource or
 * NotResource; a resource policy (a key policy, a secret's policy) needs Principal or NotPrincipal
 * and may omit Resource (meaning {@code *}). A document that breaks a rule is refused with
 * {@code MalformedPolicyDocumentException}; its message counts statements from 1.
 *
 * <p>PrincipalArns: {@code "*"} and {@code {"AWS": "*"}} are everyone; an account id or its root ARN
 * is every principal of that account; a role ARN is the role and its sessions; any other ARN matches
 * exactly (a wildcard inside one is not a wildcard); {@code {"Service": ...}} matches a request made
 * by that service ({@link AccessRequest.Builder#callingService}). NotPrincipal uses the same
 * matching: the statement applies to every caller that matches none of its principals. Policy
 * variables are substituted in Resource, NotResource and the values of String and Arn conditions
 * only when Version is 2012-10-17, as in AWS.
 */
public final class Policy {
  /** Which rules a document follows: a policy attached to an identity, or to a resource. */
  public enum Kind { IDENTITY, RESOURCE }

  /**
   * How an Allow statement's principal must match for {@link #evaluate(AccessRequest, PrincipalMatch)}:
   * {@code ANY} also counts an account principal matching a principal of that account (delegation to
   * IAM, for a caller other than the root); {@code DIRECT} counts only a principal naming the caller
   * (its ARN, its role, {@code "*"}, a service) or the account when the caller is its root. A Deny
   * always counts with any match.
   */
  public enum PrincipalMatch { ANY, DIRECT }

  private static final Set<String> TOP_LEVEL = Set.of("Version", "Id", "Statement");
  private static final Set<String> STATEMENT = Set.of("Sid", "Effect", "Principal", "NotPrincipal", "Action",
      "NotAction", "Resource", "NotResource", "Condition");

  private final String text;
  private final Kind kind;
  private final Statement[] statements;
  /**
   * The statements whose Action (or NotAction) takes in each action asked about so far, lower-cased:
   * a service has a few hundred actions, and a request then matches no action pattern at all.
   */
  private final java.util.concurrent.ConcurrentHashMap<String, Statement[]> byAction =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_ACTIONS_KEPT = 1_000;

  private Policy(String text, Kind kind, Statement[] statements) {
    this.text = text;
    this.kind = kind;
    this.statements = statements;
  }

  /** Parses and compiles a policy; throws {@code AwsException} {@code MalformedPolicyDocumentException} when it is not valid. */
  public static Policy parse(String json, Kind kind) {
    if (json == null) {
      throw malformed("The policy document is missing.");
    }
    JsonNode root;
    try {
      root = Json.readTree(json);
    } catch (IOException e) {
      throw malformed("The policy contains a syntax error: it is not valid JSON.");
    }
    if (root == null || !root.isObject()) {
      throw malformed("The policy contains a syntax error: it must be a JSON object.");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!TOP_LEVEL.contains(name)) {
        throw malformed("The policy has an unknown element: " + name);
      }
    }
    JsonNode version = root.get("Version");
    if (version != null && !(version.isTextual()
        && (version.asText().equals("2012-10-17") || version.asText().equals("2008-10-17")))) {
      throw malformed("The policy has an unsupported Version: " + version);
    }
    JsonNode id = root.get("Id");
    if (id != null && !id.isTextual()) {
      throw malformed("The policy Id must be a string.");
    }
    boolean variables = version != null && version.asText().equals("2012-10-17");
    JsonNode statementNode = root.get("Statement");
    if (statementNode == null || !(statementNode.isArray() || statementNode.isObject())) {
      throw malformed("The policy is missing required element - Statement");
    }
    List<JsonNode> nodes = new ArrayList<>();
    if (statementNode.isArray()) {
      statementNode.forEach(nodes::add);
    } else {
      nodes.add(statementNode);
    }
    if (nodes.isEmpty()) {
      throw malformed("The policy is missing required element - Statement");
    }
    Statement[] statements = new Statement[nodes.size()];
    for (int i = 0; i < statements.length; i++) {
      statements[i] = statement(nodes.get(i), i, kind, variables);
    }
    return new Policy(json, kind, statements);
  }

  private static Statement statement(JsonNode node, int index, Kind kind, boolean variables) {
    String where = "Policy statement " + (index + 1);
    if (!node.isObject()) {
      throw malformed(where + " must be a JSON object.");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!STATEMENT.contains(name)) {
        throw malformed(where + " has an unknown element: " + name);
      }
    }
    JsonNode sidNode = node.get("Sid");
    if (sidNode != null && !sidNode.isTextual()) {
      throw malformed(where + " has a Sid that is not a string.");
    }
    String sid = sidNode == null ? null : sidNode.asText();
    JsonNode effectNode = node.get("Effect");
    String effect = effectNode != null && effectNode.isTextual() ? effectNode.asText() : null;
    if (effectNode == null) {
      throw malformed(where + " is missing required element - Effect");
    }
    if (!"Allow".equals(effect) && !"Deny".equals(effect)) {
      throw malformed(where + " has an invalid Effect: " + effectNode + " (Allow or Deny)");
    }
    String actionElement = exactlyOne(node, "Action", "NotAction", where, true);
    List<String> actionValues = strings(node.get(actionElement), where, actionElement);
    Glob[] actions = new Glob[actionValues.size()];
    for (int i = 0; i < actions.length; i++) {
      String a = actionValues.get(i);
      if (!a.equals("*") && a.indexOf(':') <= 0) {
        throw malformed(where + " has an invalid " + actionElement + ": '" + a
            + "' (an action is prefixed with its service, e.g. kms:Decrypt)");
      }
      actions[i] = Glob.compile(a.toLowerCase(Locale.ROOT), true, false, false);
    }
    String resourceElement = exactlyOne(node, "Resource", "NotResource", where, kind == Kind.IDENTITY);
    Glob[] resources = null;
    if (resourceElement != null) {
      List<String> values = strings(node.get(resourceElement), where, resourceElement);
      resources = new Glob[values.size()];
      for (int i = 0; i < resources.length; i++) {
        resources[i] = Glob.compile(values.get(i), true, variables, false);
      }
    }
    PrincipalSet principals = null;
    String principalElement;
    if (kind == Kind.IDENTITY) {
      if (node.has("Principal") || node.has("NotPrincipal")) {
        throw malformed(where + " has a Principal, which an identity-based policy may not have.");
      }
      principalElement = null;
    } else {
      principalElement = exactlyOne(node, "Principal", "NotPrincipal", where, true);
      principals = PrincipalSet.parse(node.get(principalElement), where + " " + principalElement);
    }
    Condition[] conditions = conditions(node.get("Condition"), where, variables);
    return new Statement(effect.equals("Deny"), actions, "NotAction".equals(actionElement), resources,
        "NotResource".equals(resourceElement), principals, "NotPrincipal".equals(principalElement), conditions,
        new Verdict(effect.equals("Deny") ? Verdict.Effect.DENY : Verdict.Effect.ALLOW, index, sid));
  }

  private static String exactlyOne(JsonNode node, String element, String notElement, String where, boolean required) {
    boolean has = node.has(element);
    boolean hasNot = node.has(notElement);
    if (has && hasNot) {
      throw malformed(where + " has both " + element + " and " + notElement + "; it may have only one.");
    }
    if (!has && !hasNot) {
      if (required) {
        throw malformed(where + " is missing required element - " + element + " or " + notElement);
      }
      return null;
    }
    return has ? element : notElement;
  }

  /** A string or a non-empty array of strings. */
  static List<String> strings(JsonNode node, String where, String element) {
    List<String> out = new ArrayList<>();
    if (node.isTextual()) {
      out.add(node.asText());
    } else if (node.isArray() && !node.isEmpty()) {
      for (JsonNode n : node) {
        if (!n.isTextual()) {
          throw malformed(where + " has a " + element + " value that is not a string: " + n);
        }
        out.add(n.asText());
      }
    } else {
      throw malformed(where + " has an invalid " + element + ": a string or a non-empty array of strings is expected.");
    }
    for (String s : out) {
      if (s.isEmpty()) {
        throw malformed(where + " has an empty " + element + " value.");
      }
    }
    return out;
  }

  private static Condition[] conditions(JsonNode node, String where, boolean variables) {
    if (node == null) {
      return new Condition[0];
    }
    if (!node.isObject()) {
      throw malformed(where + " has a Condition that is not a JSON object.");
    }
    List<Condition> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> ops = node.fields(); ops.hasNext(); ) {
      Map.Entry<String, JsonNode> op = ops.next();
      if (!op.getValue().isObject()) {
        throw malformed(where + " has a condition operator whose value is not a JSON object: " + op.getKey());
      }
      if (!Condition.isOperator(op.getKey())) {
        throw malformed(where + " has an unknown condition operator: " + op.getKey());
      }
      for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields(); keys.hasNext(); ) {
        Map.Entry<String, JsonNode> key = keys.next();
        List<String> values = new ArrayList<>();
        JsonNode v = key.getValue();
        if (v.isArray()) {
          for (JsonNode item : v) {
            values.add(scalar(item, where, op.getKey(), key.getKey()));
          }
        } else {
          values.add(scalar(v, where, op.getKey(), key.getKey()));
        }
        out.add(compile(where, op.getKey(), key.getKey(), values, variables));
      }
    }
    return out.toArray(new Condition[0]);
  }

  private static Condition compile(String where, String op, String key, List<String> values, boolean variables) {
    try {
      return Condition.compile(op, key, values, variables);
    } catch (Condition.Invalid e) {
      throw malformed(where + " " + e.getMessage());
    }
  }

  private static String scalar(JsonNode n, String where, String op, String key) {
    if (n.isTextual() || n.isNumber() || n.isBoolean()) {
      return n.asText();
    }
    throw malformed(where + " has an invalid value for condition operator " + op + " on key " + key + ": " + n);
  }

  static AwsException malformed(String message) {
    return new AwsException("MalformedPolicyDocumentException", message);
  }

  /** The document as given. */
  public String text() {
    return text;
  }

  public Kind kind() {
    return kind;
  }

  /** The number of statements. */
  public int size() {
    return statements.length;
  }

  /** Evaluates the policy for a request: Deny beats Allow; {@link Verdict#NONE} when no statement applies. */
  public Verdict evaluate(AccessRequest request) {
    return evaluate(request, PrincipalMatch.ANY);
  }

  /**
   * Evaluates the policy, counting an Allow only when its principal matches as {@code allowMatch}
   * says (a resource policy; an identity policy has no principal and ignores it).
   */
  public Verdict evaluate(AccessRequest request, PrincipalMatch allowMatch) {
    Verdict allow = null;
    for (Statement s : statementsFor(request.actionLower())) {
      if (!s.deny && allow != null) {
        continue;
      }
      int level = s.appliesToAction(request);
      if (level == PrincipalSet.NO) {
        continue;
      }
      if (s.deny) {
        return s.verdict;
      }
      if (allowMatch == PrincipalMatch.ANY || level == PrincipalSet.DIRECT) {
        allow = s.verdict;
      }
    }
    return allow != null ? allow : Verdict.NONE;
  }

  private Statement[] statementsFor(String action) {
    Statement[] kept = byAction.get(action);
    if (kept != null) {
      return kept;
    }
    java.util.List<Statement> taking = new java.util.ArrayList<>(statements.length);
    for (Statement s : statements) {
      if (s.takes(action)) {
        taking.add(s);
      }
    }
    kept = taking.toArray(new Statement[0]);
    if (byAction.size() < MAX_ACTIONS_KEPT) {
      byAction.put(action, kept);
    }
    return kept;
  }

  @Override
  public String toString() {
    return text;
  }

  /** One compiled statement. */
  private record Statement(boolean deny, Glob[] actions, boolean notAction, Glob[] resources, boolean notResource,
      PrincipalSet principals, boolean notPrincipal, Condition[] conditions, Verdict verdict) {

    /** Whether the statement's Action (or NotAction) takes in {@code actionLower}. */
    boolean takes(String actionLower) {
      return anyMatches(actions, actionLower, null) != notAction;
    }

    /**
     * How the statement applies to a request whose action it {@link #takes}: {@link PrincipalSet#NO},
     * {@code ACCOUNT} or {@code DIRECT}.
     */
    int appliesToAction(AccessRequest request) {
      if (resources != null && anyMatches(resources, request.resource(), request) == notResource) {
        return PrincipalSet.NO;
      }
      int level = PrincipalSet.DIRECT;
      if (principals != null) {
        level = principals.match(request);
        if (notPrincipal) {
          level = level == PrincipalSet.NO ? PrincipalSet.DIRECT : PrincipalSet.NO;
        }
        if (level == PrincipalSet.NO) {
          return level;
        }
      }
      for (Condition c : conditions) {
        if (!c.holds(request)) {
          return PrincipalSet.NO;
        }
      }
      return level;
    }

    private static boolean anyMatches(Glob[] globs, String text, AccessRequest request) {
      for (Glob g : globs) {
        if (g.matches(text, request)) {
          return true;
        }
      }
      return false;
    }
  }
}
