package dev.shunt.backend.ssm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.auth.policy.Glob;
import dev.shunt.backend.auth.policy.NamedPolicy;
import dev.shunt.backend.auth.policy.Policy;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.model.ServiceModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The resource policies that share a parameter with other accounts (PutResourcePolicy), read as
 * Parameter Store reads them (AWS user guide, "Working with shared parameters"): IAM's grammar
 * ({@code MalformedResourcePolicyDocumentException} when broken), at most 1,024 bytes each
 * ({@code ResourcePolicyLimitExceededException}, as the model documents), and, since a shared
 * parameter is read-only to its consumers, an Allow may name only the read actions
 * ssm:GetParameter, ssm:GetParameters, ssm:GetParameterHistory and ssm:DescribeParameters (a
 * wildcard only when every SSM action it matches is one of them), AWS principals (accounts, their
 * roots, users, roles; never everyone or a service), and as Resource only the parameter. A Deny
 * may name any action: it only takes away.
 *
 * <p>Each policy has an id (a UUID) and a hash (SHA-256 of its text, hex), which an update and a
 * delete must name, so that a writer holding an old version is refused
 * ({@code ResourcePolicyConflictException}).
 */
final class ParameterResourcePolicies {
  static final int MAX_BYTES = 1024;
  /** Shunt's bound (AWS documents none for parameters): a page of GetResourcePolicies. */
  static final int MAX_POLICIES = 50;
  static final List<String> SHAREABLE = List.of("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory",
      "ssm:DescribeParameters");
  private static final Set<String> SHAREABLE_LOWER = Set.of("ssm:getparameter", "ssm:getparameters",
      "ssm:getparameterhistory", "ssm:describeparameters");

  private ParameterResourcePolicies() {}

  /** One policy of a parameter: its id, hash and text, and the text compiled as the access decision reads it. */
  record Entry(String id, String hash, String text, NamedPolicy named) {
    static Entry of(String id, String text) {
      return new Entry(id, ParameterResourcePolicies.hash(text), text, new NamedPolicy("resource policy " + id,
          Policy.parse(text, Policy.Kind.RESOURCE)));
    }
  }

  /** The hash PutResourcePolicy answers and later calls must name: SHA-256 of the text, hex. */
  static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Checks a policy for the parameter {@code parameterArn}: PutResourcePolicy's AwsException for a broken rule. */
  static void check(String text, String parameterArn) {
    if (text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new AwsException("ResourcePolicyLimitExceededException", "The policy is "
          + text.getBytes(StandardCharsets.UTF_8).length + " bytes; a resource policy can't be greater than "
          + MAX_BYTES + " bytes.");
    }
    try {
      Policy.parse(text, Policy.Kind.RESOURCE);
    } catch (AwsException e) {
      throw malformed(e.getMessage());
    }
    JsonNode root;
    try {
      root = Json.readTree(text);
    } catch (IOException e) {
      throw malformed("The policy contains a syntax error: it is not valid JSON.");
    }
    JsonNode statements = root.get("Statement");
    List<JsonNode> list = new ArrayList<>();
    if (statements.isArray()) {
      statements.forEach(list::add);
    } else {
      list.add(statements);
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode statement = list.get(i);
      String where = "Policy statement " + (i + 1);
      if (statement.has("NotResource")) {
        throw malformed(where + " has NotResource: a parameter's resource policy names the parameter as Resource.");
      }
      for (String resource : strings(statement.get("Resource"))) {
        if (!Glob.wildcard(resource, parameterArn)) {
          throw malformed(where + " has the Resource " + resource + ", which is not the parameter " + parameterArn
              + ".");
        }
      }
      if (!"Allow".equals(statement.path("Effect").asText())) {
        continue;
      }
      if (statement.has("NotAction") || statement.has("NotPrincipal")) {
        throw malformed(where + " allows with " + (statement.has("NotAction") ? "NotAction" : "NotPrincipal")
            + ": a shared parameter's policy must name the actions and principals it allows.");
      }
      for (String action : strings(statement.get("Action"))) {
        checkAction(action, where);
      }
      checkPrincipal(statement.get("Principal"), where);
    }
  }

  /** An allowed action: a read action, or a wildcard matching only read actions of SSM. */
  private static void checkAction(String action, String where) {
    String lower = action.toLowerCase(Locale.ROOT);
    boolean wildcard = lower.indexOf('*') >= 0 || lower.indexOf('?') >= 0;
    if (!wildcard && SHAREABLE_LOWER.contains(lower)) {
      return;
    }
    boolean matchesOne = false;
    if (wildcard) {
      matchesOne = true;
      boolean matchesAny = false;
      for (String operation : Operations.LOWER) {
        if (Glob.wildcard(lower, operation)) {
          matchesAny = true;
          if (!SHAREABLE_LOWER.contains(operation)) {
            matchesOne = false;
            break;
          }
        }
      }
      matchesOne &= matchesAny;
    }
    if (!matchesOne) {
      throw malformed(where + " allows " + action + ": a shared parameter is read-only to other accounts, so its "
          + "policy may allow only " + String.join(", ", SHAREABLE) + ".");
    }
  }

  private static void checkPrincipal(JsonNode principal, String where) {
    if (principal.isTextual()) {
      throw malformed(where + " allows everyone (\"*\"): a parameter can be shared with accounts and their principals,"
          + " not publicly.");
    }
    for (java.util.Iterator<String> kinds = principal.fieldNames(); kinds.hasNext(); ) {
      String kind = kinds.next();
      if (!kind.equals("AWS")) {
        throw malformed(where + " allows the " + kind + " principal " + principal.get(kind) + ": a parameter can be "
            + "shared with AWS accounts and their principals only.");
      }
    }
    for (String value : strings(principal.get("AWS"))) {
      if (value.equals("*")) {
        throw malformed(where + " allows everyone (\"*\"): a parameter can be shared with accounts and their "
            + "principals, not publicly.");
      }
    }
  }

  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    if (node.isArray()) {
      node.forEach(n -> out.add(n.asText()));
    } else {
      out.add(node.asText());
    }
    return out;
  }

  static AwsException malformed(String message) {
    return new AwsException("MalformedResourcePolicyDocumentException", message);
  }

  /** Every SSM action ({@code ssm:OPERATION}, lower-cased), which a wildcard action is matched against; read once. */
  private static final class Operations {
    static final List<String> LOWER = ServiceModel.load("ssm").operationNames().stream()
        .map(operation -> "ssm:" + operation.toLowerCase(Locale.ROOT)).sorted().toList();
  }
}
