package dev.shunt.backend.ssm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.store.Documents;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Parameter Store's parameters and service settings as documents: the store's rows, what a seed
 * file makes and what export writes. Field names are AWS's, as GetParameterHistory,
 * DescribeParameters and ListTagsForResource show them:
 * <pre>
 * ssm:
 *   serviceSettings:                       # only the customized ones
 *     - SettingId: /ssm/parameter-store/default-parameter-tier
 *       SettingValue: Advanced
 *       LastModifiedDate: "2026-01-05T10:00:00Z"
 *       LastModifiedUser: arn:aws:iam::111122223333:root
 *   parameters:
 *     - Name: /app/url                     # a seed's shorthand: one version, Version 1
 *       Value: https://example.com
 *     - Name: /app/db/password
 *       Tags: [{Key: team, Value: core}]
 *       Versions:                          # the kept history, oldest first
 *         - Version: 1
 *           Type: SecureString
 *           Value: hunter2                 # in the clear, or sealed:BASE64 (export, under the root key)
 *           SealedValue: AQICAHh...        # the ciphertext under KeyId, base64 (the store; export too)
 *           KeyId: alias/aws/ssm
 *           Tier: Standard
 *           DataType: text
 *           LastModifiedDate: "2026-01-05T10:00:00Z"
 *           LastModifiedUser: arn:aws:iam::111122223333:root
 *           Labels: [prod]
 *     - Name: /shared/url
 *       Tier: Advanced
 *       Value: https://example.com
 *       ResourcePolicies:                  # sharing it with other accounts (advanced parameters only)
 *         - Policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "444455556666"},
 *                    Action: ["ssm:GetParameter"], Resource: "*"}]}
 * </pre>
 * A version states Version (default: the one before it plus one, the first 1; numbers follow
 * each other, and the first may be above 1 when older ones aged out), Type (default
 * String; one type for the whole history), Value and/or SealedValue (with SealedKeyArn, and
 * Envelope: true for values over 4 KB), KeyId (SecureString only; default alias/aws/ssm),
 * Description, AllowedPattern, Tier (default: the account's default-parameter-tier setting),
 * Policies (PutParameter's JSON text, a list of policies, or DescribeParameters' list of
 * PolicyText/PolicyType), DataType (default text), LastModifiedDate (ISO-8601; default
 * {@link SsmState#SEED_DATE}), LastModifiedUser (default the account's root) and Labels. Like an
 * overwrite, a version without KeyId, Description, AllowedPattern, Tier, Policies or DataType
 * keeps the one before it's. ResourcePolicies (beside Tags) lists the policies that share the
 * parameter, as GetResourcePolicies shows them: PolicyId (default: one made of the ARN and the
 * policy's place), PolicyHash (the hash of Policy; stated, it must be) and Policy (its JSON text,
 * or the policy itself). Making a parameter of them is {@link SsmState}'s.
 */
final class ParameterDocuments {
  // Sorted, so that a message listing them reads the same every time.
  private static final Set<String> VERSION_FIELDS = sorted("Version", "Type", "Value", "SealedValue", "SealedKeyArn",
      "Envelope", "KeyId", "Description", "AllowedPattern", "Tier", "Policies", "DataType", "LastModifiedDate",
      "LastModifiedUser", "Labels");
  static final Set<String> PARAMETER_FIELDS;
  static final Set<String> SETTING_FIELDS = sorted("SettingId", "SettingValue", "LastModifiedDate",
      "LastModifiedUser");

  static {
    Set<String> fields = new java.util.TreeSet<>(VERSION_FIELDS);
    fields.addAll(List.of("Name", "Tags", "Versions", "ResourcePolicies"));
    PARAMETER_FIELDS = java.util.Collections.unmodifiableSet(fields);
  }

  private static Set<String> sorted(String... names) {
    return java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(List.of(names)));
  }

  private ParameterDocuments() {}

  // ---- writing ----------------------------------------------------------------------------

  /** A parameter as the store keeps it: SecureStrings as their ciphertext only. Call holding its monitor. */
  static ObjectNode stored(Parameter parameter) {
    ObjectNode document = Json.object().put("Name", parameter.name);
    if (!parameter.tags.isEmpty()) {
      ArrayNode tags = document.putArray("Tags");
      parameter.tags.forEach((key, value) -> tags.addObject().put("Key", key).put("Value", value));
    }
    ArrayNode versions = document.putArray("Versions");
    List<ParameterPolicies.Policy> previousPolicies = List.of();
    for (ParameterVersion version : parameter.versions.values()) {
      ObjectNode entry = versions.addObject().put("Version", version.version).put("Type", version.type);
      if (version.secure()) {
        entry.put("SealedValue", version.sealed.ciphertextForm());
        if (version.sealed.keyArn() != null) {
          entry.put("SealedKeyArn", version.sealed.keyArn());
        }
        if (version.sealed.envelope()) {
          entry.put("Envelope", true);
        }
      } else {
        entry.put("Value", version.value);
      }
      putIfNotNull(entry, "KeyId", version.keyId);
      putIfNotNull(entry, "Description", version.description);
      putIfNotNull(entry, "AllowedPattern", version.allowedPattern);
      entry.put("Tier", version.tier);
      // An empty list is written only where it cleared the policies before it (an unstated one is kept).
      if (!version.policies.isEmpty() || !previousPolicies.isEmpty()) {
        entry.set("Policies", policies(version.policies));
      }
      previousPolicies = version.policies;
      putIfNotNull(entry, "DataType", version.dataType);
      if (version.lastModifiedDate != null) {
        entry.put("LastModifiedDate", version.lastModifiedDate.toString());
      }
      putIfNotNull(entry, "LastModifiedUser", version.lastModifiedUser);
      if (!version.labels.isEmpty()) {
        ArrayNode labels = entry.putArray("Labels");
        version.labels.forEach(labels::add);
      }
    }
    if (!parameter.resourcePolicies().isEmpty()) {
      document.set("ResourcePolicies", resourcePolicies(parameter.resourcePolicies()));
    }
    return document;
  }

  /** Resource policies as GetResourcePolicies shows them: PolicyId, PolicyHash and Policy (its text). */
  static ArrayNode resourcePolicies(List<ParameterResourcePolicies.Entry> policies) {
    ArrayNode out = Json.array();
    policies.forEach(policy -> out.addObject().put("PolicyId", policy.id()).put("PolicyHash", policy.hash())
        .put("Policy", policy.text()));
    return out;
  }

  /** One resource policy as a document states it: PolicyId and PolicyHash may be left out (null). */
  record StatedPolicy(String id, String hash, String text) {}

  private static final Set<String> RESOURCE_POLICY_FIELDS = sorted("PolicyId", "PolicyHash", "Policy");

  /**
   * The resource policies a document states (ResourcePolicies: a list of {PolicyId, PolicyHash,
   * Policy}, Policy as JSON text or as the policy itself), or null when it states none.
   */
  static List<StatedPolicy> resourcePolicies(ObjectNode document) {
    JsonNode list = document.get("ResourcePolicies");
    if (list == null || list.isNull()) {
      return null;
    }
    if (!list.isArray()) {
      throw new IllegalArgumentException("ResourcePolicies must be a list of {PolicyId, PolicyHash, Policy}");
    }
    List<StatedPolicy> policies = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "ResourcePolicies[" + i + "].";
      JsonNode entry = list.get(i);
      if (!entry.isObject()) {
        throw new IllegalArgumentException("ResourcePolicies[" + i + "] must be a mapping");
      }
      try {
        Documents.onlyFields((ObjectNode) entry, RESOURCE_POLICY_FIELDS);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + e.getMessage());
      }
      JsonNode policy = entry.get("Policy");
      if (policy == null || policy.isNull()) {
        throw new IllegalArgumentException(at + "Policy is required");
      }
      String text = policy.isTextual() ? policy.asText() : policy.isObject() ? Json.text(policy) : null;
      if (text == null) {
        throw new IllegalArgumentException(at + "Policy must be the policy, or its JSON text");
      }
      policies.add(new StatedPolicy(text((ObjectNode) entry, at, "PolicyId"), text((ObjectNode) entry, at,
          "PolicyHash"), text));
    }
    return policies;
  }

  /** A customized service setting's document. */
  static ObjectNode setting(String id, ServiceSettings.Setting setting) {
    ObjectNode document = Json.object().put("SettingId", id).put("SettingValue", setting.value());
    if (setting.lastModified() != null) {
      document.put("LastModifiedDate", setting.lastModified().toString());
    }
    putIfNotNull(document, "LastModifiedUser", setting.lastModifiedUser());
    return document;
  }

  /** The version entry with Value after Type (where a reader looks for it). */
  static ObjectNode withValue(ObjectNode entry, String value) {
    ObjectNode out = Json.object();
    entry.fields().forEachRemaining(field -> {
      out.set(field.getKey(), field.getValue());
      if (field.getKey().equals("Type")) {
        out.put("Value", value);
      }
    });
    return out;
  }

  /** Policies as DescribeParameters shows them, without PolicyStatus (which is the clock's, not the state's). */
  static ArrayNode policies(List<ParameterPolicies.Policy> policies) {
    ArrayNode out = Json.array();
    policies.forEach(policy -> out.addObject().put("PolicyText", policy.text()).put("PolicyType", policy.type()));
    return out;
  }

  static void putIfNotNull(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }

  // ---- reading ----------------------------------------------------------------------------

  /** One version as a document states it: null where it says nothing. */
  record Stated(long version, String type, String valueText, SecureStrings.Sealed sealed, String keyId,
      String description, String allowedPattern, String tier, String policiesText,
      List<ParameterPolicies.Policy> policies, String dataType, Instant date, String user, List<String> labels) {}

  /** The versions a document states: its Versions, or the shorthand of one (its own version fields). */
  static List<Stated> versions(ObjectNode document) {
    JsonNode list = document.get("Versions");
    List<String> shorthand = new ArrayList<>();
    document.fieldNames().forEachRemaining(field -> {
      if (VERSION_FIELDS.contains(field)) {
        shorthand.add(field);
      }
    });
    List<Stated> versions = new ArrayList<>();
    if (list == null || list.isNull()) {
      versions.add(version(document, "", 1));
      return versions;
    }
    if (!shorthand.isEmpty()) {
      throw new IllegalArgumentException("give either Versions or one version's fields, not both (" + shorthand
          + " beside Versions)");
    }
    if (!list.isArray() || list.isEmpty()) {
      throw new IllegalArgumentException("Versions must be a list of at least one version");
    }
    if (list.size() > SsmBackend.MAX_VERSIONS) {
      throw new IllegalArgumentException("Versions holds " + list.size() + " versions; Parameter Store keeps at most "
          + SsmBackend.MAX_VERSIONS);
    }
    long previous = 0;
    for (int i = 0; i < list.size(); i++) {
      JsonNode entry = list.get(i);
      String at = "Versions[" + i + "].";
      if (!entry.isObject()) {
        throw new IllegalArgumentException("Versions[" + i + "] must be a mapping");
      }
      try {
        Documents.onlyFields((ObjectNode) entry, VERSION_FIELDS);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + e.getMessage());
      }
      Stated version = version((ObjectNode) entry, at, previous + 1);
      if (i > 0 && version.version() != previous + 1) {
        throw new IllegalArgumentException(at + "Version " + version.version() + " must follow the one before it ("
            + previous + "): Versions are oldest first with no gap (only the oldest age out)");
      }
      previous = version.version();
      versions.add(version);
    }
    return versions;
  }

  private static Stated version(ObjectNode node, String at, long defaultNumber) {
    long number = defaultNumber;
    JsonNode given = node.get("Version");
    if (given != null && !given.isNull()) {
      boolean whole = given.isIntegralNumber() && given.canConvertToLong()
          || given.isTextual() && given.asText().matches("\\d{1,18}");
      if (!whole || given.asLong() < 1) {
        throw new IllegalArgumentException(at + "Version must be a whole number from 1, not " + given);
      }
      number = given.asLong();
    }
    SecureStrings.Sealed sealed = null;
    String sealedText = text(node, at, "SealedValue");
    if (sealedText != null) {
      byte[] ciphertext;
      try {
        ciphertext = Base64.getDecoder().decode(sealedText.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + "SealedValue is not base64");
      }
      JsonNode envelope = node.get("Envelope");
      if (envelope != null && !envelope.isNull() && !envelope.isBoolean()) {
        throw new IllegalArgumentException(at + "Envelope must be true or false");
      }
      sealed = new SecureStrings.Sealed(text(node, at, "SealedKeyArn"), ciphertext,
          envelope != null && envelope.asBoolean(false));
    } else if (node.has("SealedKeyArn") || node.has("Envelope")) {
      throw new IllegalArgumentException(at + "SealedKeyArn and Envelope describe a SealedValue, which is not given");
    }
    JsonNode policiesNode = node.get("Policies");
    String policiesText = policiesNode == null || policiesNode.isNull() ? null : policiesText(policiesNode, at);
    List<ParameterPolicies.Policy> policies = null;
    if (policiesText != null) {
      try {
        // The Timestamp's "in the future" is checked when the parameter is made, against its time.
        policies = ParameterPolicies.parse(policiesText, Instant.MIN);
      } catch (AwsException e) {
        throw new IllegalArgumentException(at + "Policies: " + e.getMessage());
      }
    }
    List<String> labels = null;
    JsonNode labelsNode = node.get("Labels");
    if (labelsNode != null && !labelsNode.isNull()) {
      if (!labelsNode.isArray()) {
        throw new IllegalArgumentException(at + "Labels must be a list");
      }
      labels = new ArrayList<>();
      for (JsonNode label : labelsNode) {
        if (!label.isValueNode()) {
          throw new IllegalArgumentException(at + "Labels must be a list of labels");
        }
        labels.add(label.asText());
      }
    }
    return new Stated(number, text(node, at, "Type"), text(node, at, "Value"), sealed, text(node, at, "KeyId"),
        text(node, at, "Description"), text(node, at, "AllowedPattern"), text(node, at, "Tier"), policiesText, policies,
        text(node, at, "DataType"), date(node, at + "LastModifiedDate"), text(node, at, "LastModifiedUser"), labels);
  }

  private static String text(ObjectNode node, String at, String field) {
    try {
      return Documents.text(node, field, null);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(at + e.getMessage());
    }
  }

  /** An ISO-8601 time ({@code 2026-01-05T10:00:00Z}), or null when not given; {@code field} may carry a prefix. */
  static Instant date(ObjectNode node, String field) {
    int dot = field.lastIndexOf('.');
    try {
      return Documents.date(node, field.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field.substring(0, dot + 1) + e.getMessage());
    }
  }


  /**
   * Policies as PutParameter takes them (a JSON array's text) from any of the forms a document may
   * give: that text, a list of policies, or DescribeParameters' list of PolicyText and PolicyType.
   */
  private static String policiesText(JsonNode node, String at) {
    if (node.isTextual()) {
      return node.asText();
    }
    if (!node.isArray()) {
      throw new IllegalArgumentException(at + "Policies must be a list of policies, or PutParameter's JSON text");
    }
    ArrayNode out = Json.array();
    for (JsonNode policy : node) {
      if (policy.has("PolicyText")) {
        JsonNode parsed;
        try {
          parsed = Json.readTree(policy.path("PolicyText").asText());
        } catch (IOException e) {
          throw new IllegalArgumentException(at + "Policies: a PolicyText is not JSON: " + policy.get("PolicyText"));
        }
        String type = policy.path("PolicyType").asText(null);
        if (type != null && parsed != null && !type.equals(parsed.path("Type").asText())) {
          throw new IllegalArgumentException(at + "Policies: PolicyType " + type + " is not its PolicyText's Type");
        }
        out.add(parsed);
      } else {
        out.add(policy);
      }
    }
    return Json.text(out);
  }

  /** The history's one type (String when none is stated); PutParameter never changes it. */
  static String type(List<Stated> versions) {
    String type = null;
    for (Stated version : versions) {
      if (version.type() == null) {
        continue;
      }
      if (type != null && !type.equals(version.type())) {
        throw new IllegalArgumentException(SsmErrors.hierarchyTypeMismatch(type, version.type()).getMessage());
      }
      type = version.type();
    }
    return type == null ? "String" : type;
  }

  // ---- comparing --------------------------------------------------------------------------

  /** A version as compared: labels as a set ({label: true}), values as given (SecureString's opened when needed). */
  static ObjectNode comparable(ParameterVersion version, List<String> labels) {
    ObjectNode entry = Json.object().put("Type", version.type);
    if (version.secure()) {
      entry.put("SealedValue", version.sealed.ciphertextForm());
    } else {
      entry.put("Value", version.value);
    }
    putIfNotNull(entry, "KeyId", version.keyId);
    putIfNotNull(entry, "Description", version.description);
    putIfNotNull(entry, "AllowedPattern", version.allowedPattern);
    entry.put("Tier", version.tier);
    entry.set("Policies", policies(version.policies));
    putIfNotNull(entry, "DataType", version.dataType);
    if (version.lastModifiedDate != null) {
      entry.put("LastModifiedDate", version.lastModifiedDate.toString());
    }
    putIfNotNull(entry, "LastModifiedUser", version.lastModifiedUser);
    ObjectNode set = entry.putObject("Labels");
    labels.forEach(label -> set.put(label, true));
    return entry;
  }
}
