package dev.shunt.backend.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The IAM users and roles of a principals file ({@code --principals FILE}): each with its ARN,
 * the access keys it calls with, and its identity policies. A role's keys call as a session of
 * it ({@code arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION}); an account's root
 * ({@code arn:aws:iam::ACCOUNT:root}) gets its access keys here too. Without a file, every access
 * key acts as its account's root.
 */
public final class Principals {
  /** What an IAM principal is; a role calls as one of its sessions. */
  public enum Kind { ROOT, USER, ROLE }

  /**
   * One principal of the file.
   *
   * @param callerArn the ARN its requests carry: the user's, the root's, or the role session's
   * @param policies its identity policies, as JSON text, each with a name ({@code alice-1}, or the file's)
   */
  public record Principal(String arn, Kind kind, String accountId, String callerArn, Map<String, String> accessKeys,
      Map<String, String> policies) {}

  private static final Pattern ARN = Pattern.compile(
      "arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):iam::(\\d{12}):"
          + "(root|user/(?:[\\w+=,.@-]+/)*([\\w+=,.@-]{1,64})|role/(?:[\\w+=,.@-]+/)*([\\w+=,.@-]{1,64}))");
  private static final Set<String> ENTRY_FIELDS = Set.of("arn", "accessKeys", "policies", "sessionName");
  private static final Set<String> KEY_FIELDS = Set.of("id", "secret");

  private final List<Principal> principals;
  private final Map<String, Principal> byAccessKey;

  private Principals(List<Principal> principals, Map<String, Principal> byAccessKey) {
    this.principals = List.copyOf(principals);
    this.byAccessKey = Map.copyOf(byAccessKey);
  }

  public static Principals none() {
    return new Principals(List.of(), Map.of());
  }

  /**
   * Reads a principals file's tree; IllegalArgumentException naming the file and the entry for
   * anything unknown, malformed or given twice.
   *
   * @param readPolicyFile reads a policy given as {@code {file: PATH}} (relative to the file's directory)
   */
  public static Principals parse(JsonNode tree, String source, java.util.function.Function<String, String> readPolicyFile) {
    if (tree == null || !tree.isObject() || !tree.path("principals").isArray() || tree.size() != 1) {
      throw new IllegalArgumentException(source + " must be a mapping with one key, principals: a list of entries");
    }
    List<Principal> principals = new ArrayList<>();
    Map<String, Principal> byAccessKey = new LinkedHashMap<>();
    Set<String> arns = new HashSet<>();
    int n = 0;
    for (JsonNode entry : tree.get("principals")) {
      n++;
      String where = source + ", principal " + n;
      if (!entry.isObject()) {
        throw new IllegalArgumentException(where + " must be a mapping (arn, accessKeys, policies)");
      }
      for (Iterator<String> fields = entry.fieldNames(); fields.hasNext(); ) {
        String field = fields.next();
        if (!ENTRY_FIELDS.contains(field)) {
          throw new IllegalArgumentException(where + ": unknown key '" + field + "'");
        }
      }
      String arn = entry.path("arn").asText("");
      Matcher matcher = ARN.matcher(arn);
      if (!matcher.matches()) {
        throw new IllegalArgumentException(where + ": arn must be arn:aws:iam::ACCOUNT:user/NAME, role/NAME or root, "
            + "not '" + arn + "'");
      }
      where = source + ", principal " + arn;
      if (!arns.add(arn)) {
        throw new IllegalArgumentException(where + " is given twice");
      }
      String partition = matcher.group(1);
      String account = matcher.group(2);
      Kind kind = matcher.group(3).equals("root") ? Kind.ROOT : matcher.group(4) != null ? Kind.USER : Kind.ROLE;
      String session = entry.path("sessionName").asText("shunt");
      if (entry.has("sessionName") && (kind != Kind.ROLE || !session.matches("[\\w+=,.@-]{2,64}"))) {
        throw new IllegalArgumentException(where + ": sessionName is for roles, 2 to 64 of letters, digits and +=,.@-");
      }
      String callerArn = kind == Kind.ROLE
          ? "arn:" + partition + ":sts::" + account + ":assumed-role/" + matcher.group(5) + "/" + session : arn;
      Map<String, String> keys = new LinkedHashMap<>();
      JsonNode accessKeys = entry.path("accessKeys");
      if (!accessKeys.isArray() || accessKeys.isEmpty()) {
        throw new IllegalArgumentException(where + ": accessKeys must list at least one {id, secret}");
      }
      for (JsonNode key : accessKeys) {
        for (Iterator<String> fields = key.fieldNames(); fields.hasNext(); ) {
          String field = fields.next();
          if (!KEY_FIELDS.contains(field)) {
            throw new IllegalArgumentException(where + ": unknown access key field '" + field + "'");
          }
        }
        String id = key.path("id").asText("");
        String secret = key.path("secret").asText("");
        if (!id.matches("[A-Za-z0-9]{3,128}") || secret.isEmpty()) {
          throw new IllegalArgumentException(where + ": an access key needs an id (3 to 128 letters and digits) and "
              + "a secret");
        }
        if (byAccessKey.containsKey(id) || keys.containsKey(id)) {
          throw new IllegalArgumentException(where + ": access key " + id + " is given twice");
        }
        keys.put(id, secret);
      }
      Map<String, String> policies = new LinkedHashMap<>();
      JsonNode policyList = entry.path("policies");
      if (!policyList.isMissingNode() && !policyList.isArray()) {
        throw new IllegalArgumentException(where + ": policies must be a list of policy documents or {file: PATH}");
      }
      int p = 0;
      for (JsonNode policy : policyList) {
        p++;
        String name = arn.substring(arn.lastIndexOf('/') + 1) + "-" + p;
        if (policy.isObject() && policy.size() == 1 && policy.has("file")) {
          String file = policy.get("file").asText();
          policies.put(file, readPolicyFile.apply(file));
        } else if (policy.isObject()) {
          policies.put(name, policy.toString());
        } else {
          throw new IllegalArgumentException(where + ": policy " + p + " must be a policy document or {file: PATH}");
        }
      }
      Principal principal = new Principal(arn, kind, account, callerArn, Map.copyOf(keys), policies);
      principals.add(principal);
      keys.keySet().forEach(id -> byAccessKey.put(id, principal));
    }
    return new Principals(principals, byAccessKey);
  }

  public boolean isEmpty() {
    return principals.isEmpty();
  }

  public List<Principal> all() {
    return principals;
  }

  /** The principal an access key belongs to, or null. */
  public Principal byAccessKey(String accessKeyId) {
    return accessKeyId == null ? null : byAccessKey.get(accessKeyId);
  }
}
