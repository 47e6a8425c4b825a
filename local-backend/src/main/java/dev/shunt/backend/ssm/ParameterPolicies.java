package dev.shunt.backend.ssm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.core.Json;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parameter policies of advanced parameters: Expiration (the parameter is deleted at its
 * Timestamp, on the backend's movable clock), ExpirationNotification and NoChangeNotification
 * (reported with their status; AWS sends them to EventBridge, which Shunt has not).
 */
final class ParameterPolicies {
  static final int MAX_POLICIES = 10;

  /** One policy: its type, its JSON as given, and its trigger. */
  record Policy(String type, String text, Instant expiration, Duration before, Duration after) {}

  private ParameterPolicies() {}

  static List<Policy> parse(String text, Instant now) {
    JsonNode root;
    try {
      root = Json.readTree(text);
    } catch (IOException e) {
      throw SsmErrors.invalidPolicyType("The policies are not valid JSON: give a JSON array of policies.");
    }
    if (root == null || !root.isArray()) {
      throw SsmErrors.invalidPolicyType("The policies must be a JSON array of policies.");
    }
    if (root.size() > MAX_POLICIES) {
      throw SsmErrors.policiesLimit();
    }
    List<Policy> policies = new ArrayList<>();
    Set<String> types = new HashSet<>();
    for (JsonNode node : root) {
      String type = node.path("Type").asText("");
      if (!node.path("Version").asText("").equals("1.0")) {
        throw SsmErrors.invalidPolicyAttribute("A policy's Version must be \"1.0\".");
      }
      JsonNode attributes = node.path("Attributes");
      Policy policy = switch (type) {
        case "Expiration" -> new Policy(type, Json.text(node), timestamp(attributes, now), null, null);
        case "ExpirationNotification" -> new Policy(type, Json.text(node), null,
            interval(attributes, "Before"), null);
        case "NoChangeNotification" -> new Policy(type, Json.text(node), null, null, interval(attributes, "After"));
        default -> throw SsmErrors.invalidPolicyType("The policy type is not supported. Parameter Store supports "
            + "the following policy types: Expiration, ExpirationNotification, and NoChangeNotification.");
      };
      if (!types.add(type)) {
        throw SsmErrors.incompatiblePolicy("There is a conflict in the policies specified for this parameter: "
            + type + " is given more than once.");
      }
      policies.add(policy);
    }
    if (types.contains("ExpirationNotification") && !types.contains("Expiration")) {
      throw SsmErrors.incompatiblePolicy("An ExpirationNotification policy needs an Expiration policy.");
    }
    return List.copyOf(policies);
  }

  private static Instant timestamp(JsonNode attributes, Instant now) {
    String text = attributes.path("Timestamp").asText("");
    Instant at;
    try {
      at = Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw SsmErrors.invalidPolicyAttribute("The Expiration policy needs a Timestamp in ISO 8601 UTC, e.g. "
          + "2026-12-02T21:34:33.000Z, not '" + text + "'.");
    }
    if (!at.isAfter(now)) {
      throw SsmErrors.invalidPolicyAttribute("The Expiration policy's Timestamp must be in the future.");
    }
    return at;
  }

  private static Duration interval(JsonNode attributes, String field) {
    String amount = attributes.path(field).asText("");
    String unit = attributes.path("Unit").asText("");
    long value;
    try {
      value = Long.parseLong(amount);
    } catch (NumberFormatException e) {
      throw SsmErrors.invalidPolicyAttribute("The policy attribute " + field + " must be a whole number.");
    }
    if (value < 1) {
      throw SsmErrors.invalidPolicyAttribute("The policy attribute " + field + " must be at least 1.");
    }
    return switch (unit) {
      case "Days" -> Duration.ofDays(value);
      case "Hours" -> Duration.ofHours(value);
      default -> throw SsmErrors.invalidPolicyAttribute("The policy attribute Unit must be Days or Hours.");
    };
  }

  static Instant expiration(List<Policy> policies) {
    for (Policy policy : policies) {
      if (policy.expiration() != null) {
        return policy.expiration();
      }
    }
    return null;
  }

  /** When a policy fires: the expiration, the notice before it, or the quiet period after the last change. */
  static Instant triggerOf(Policy policy, List<Policy> all, Instant lastModified) {
    if (policy.expiration() != null) {
      return policy.expiration();
    }
    if (policy.before() != null) {
      Instant expiration = expiration(all);
      return expiration == null ? null : expiration.minus(policy.before());
    }
    return lastModified.plus(policy.after());
  }
}
