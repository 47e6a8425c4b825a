package dev.shunt.backend.auth.policy;

import java.util.List;

/**
 * A request's condition keys, answered when a policy reads one: most policies read none or one,
 * so a request looks up only those instead of building every key it could carry.
 */
@FunctionalInterface
public interface ConditionKeySource {
  ConditionKeySource NONE = lowerKey -> null;

  /** The values of the condition key {@code lowerKey} (its name lower-cased), or null when the request lacks it. */
  List<String> valuesLower(String lowerKey);

  /**
   * The value of the member of {@code pairs} whose name, ignoring case, is {@code lowerKey} from
   * {@code prefixLength} on ({@code kms:encryptioncontext:}{@code tenant}), or null: condition key
   * names are case-insensitive, also in the part that names a tag or a context key.
   */
  static <V> String member(Iterable<java.util.Map.Entry<String, V>> pairs, String lowerKey, int prefixLength) {
    int length = lowerKey.length() - prefixLength;
    for (java.util.Map.Entry<String, V> pair : pairs) {
      String name = pair.getKey();
      if (name.length() == length && name.regionMatches(true, 0, lowerKey, prefixLength, length)) {
        Object value = pair.getValue();
        return value instanceof com.fasterxml.jackson.databind.JsonNode node ? node.asText() : String.valueOf(value);
      }
    }
    return null;
  }
}
