package dev.shunt.backend.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * What a grant's encryption context constraint allows, as AWS documents grant constraints:
 * {@code EncryptionContextEquals} wants the request's context to be exactly its pairs,
 * {@code EncryptionContextSubset} wants them among the request's. And what a grant that allows
 * CreateGrant lets its grantee create ("Granting CreateGrant permission"): grants for some or all
 * of its own operations, with a constraint at least as strict as its own (a subset constraint
 * may gain pairs or become an equals constraint with those pairs; an equals constraint must stay
 * the same).
 */
final class GrantConstraints {
  private GrantConstraints() {}

  /** Whether {@code grant}'s constraints let a request with {@code context} (never null) through. */
  static boolean allows(Grant grant, Map<String, String> context) {
    return (grant.contextEquals() == null || grant.contextEquals().equals(context))
        && (grant.contextSubset() == null || containsAll(context, grant.contextSubset()));
  }

  /**
   * Whether {@code parent} (a grant allowing CreateGrant) lets its grantee make the grant a
   * CreateGrant {@code input} asks for.
   */
  static boolean allowsChild(Grant parent, ObjectNode input) {
    if (input == null) {
      return false;
    }
    JsonNode operations = input.get("Operations");
    if (operations != null && operations.isArray()) {
      for (JsonNode operation : operations) {
        if (!operation.isTextual() || !parent.operations().contains(operation.textValue())) {
          return false;
        }
      }
    }
    JsonNode constraints = input.get("Constraints");
    Map<String, String> childEquals = constraints == null ? null : context(constraints.get("EncryptionContextEquals"));
    Map<String, String> childSubset = constraints == null ? null : context(constraints.get("EncryptionContextSubset"));
    return atLeastAsStrict(childEquals, childSubset, parent.contextEquals(), parent.contextSubset());
  }

  /**
   * Whether every request a grant constrained by {@code childEquals}/{@code childSubset} allows, a
   * grant constrained by {@code parentEquals}/{@code parentSubset} allows too (null: no such
   * constraint).
   */
  static boolean atLeastAsStrict(Map<String, String> childEquals, Map<String, String> childSubset,
      Map<String, String> parentEquals, Map<String, String> parentSubset) {
    boolean equalsKept = parentEquals == null || parentEquals.equals(childEquals);
    boolean subsetKept = parentSubset == null
        || childEquals != null && containsAll(childEquals, parentSubset)
        || childSubset != null && containsAll(childSubset, parentSubset);
    return equalsKept && subsetKept;
  }

  private static boolean containsAll(Map<String, String> pairs, Map<String, String> required) {
    for (Map.Entry<String, String> pair : required.entrySet()) {
      if (!pair.getValue().equals(pairs.get(pair.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, String> context(JsonNode node) {
    if (node == null || !node.isObject()) {
      return null;
    }
    Map<String, String> pairs = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> pair = it.next();
      pairs.put(pair.getKey(), pair.getValue().asText());
    }
    return pairs;
  }
}
