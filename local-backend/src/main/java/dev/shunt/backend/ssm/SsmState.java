package dev.shunt.backend.ssm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.model.ServiceModel;
import dev.shunt.backend.store.Documents;
import dev.shunt.backend.store.Persistence;
import dev.shunt.backend.store.SecretFields;
import dev.shunt.backend.store.StateSection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Parameter Store's state as documents: the store's rows, what a seed file makes and what export
 * writes. Field names are AWS's, as GetParameterHistory, DescribeParameters and ListTagsForResource
 * show them:
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
 * </pre>
 * A version states Version (default: the one before it plus one, the first 1; numbers follow
 * each other, and the first may be above 1 when older ones aged out), Type (default
 * String; one type for the whole history), Value and/or SealedValue (with SealedKeyArn, and
 * Envelope: true for values over 4 KB), KeyId (SecureString only; default alias/aws/ssm),
 * Description, AllowedPattern, Tier (default: the account's default-parameter-tier setting),
 * Policies (PutParameter's JSON text, a list of policies, or DescribeParameters' list of
 * PolicyText/PolicyType), DataType (default text), LastModifiedDate (ISO-8601; default
 * {@link #SEED_DATE}), LastModifiedUser (default the account's root) and Labels. Like an
 * overwrite, a version without KeyId, Description, AllowedPattern, Tier, Policies or DataType
 * keeps the one before it's. Loading checks everything PutParameter and LabelParameterVersion
 * check, with their messages.
 *
 * <p>A SecureString whose document has both Value and SealedValue keeps SealedValue when it
 * opens to Value (export, then seed: the same ciphertexts), else Value is encrypted again under
 * KeyId, as PutParameter does; with only SealedValue (the store) nothing is decrypted.
 */
final class SsmState implements StateSection {
  /** The LastModifiedDate of what a seed makes without one: fixed, so a seed makes the same state everywhere. */
  static final Instant SEED_DATE = Instant.EPOCH;
  static final String PARAMETERS = "parameters";
  static final String SETTINGS = "serviceSettings";
  private static final List<String> KINDS = List.of(SETTINGS, PARAMETERS);
  // Sorted, so that a message listing them reads the same every time.
  private static final Set<String> VERSION_FIELDS = sorted("Version", "Type", "Value", "SealedValue", "SealedKeyArn",
      "Envelope", "KeyId", "Description", "AllowedPattern", "Tier", "Policies", "DataType", "LastModifiedDate",
      "LastModifiedUser", "Labels");
  private static final Set<String> PARAMETER_FIELDS;
  private static final Set<String> SETTING_FIELDS = sorted("SettingId", "SettingValue", "LastModifiedDate",
      "LastModifiedUser");

  static {
    Set<String> fields = new java.util.TreeSet<>(VERSION_FIELDS);
    fields.addAll(List.of("Name", "Tags", "Versions"));
    PARAMETER_FIELDS = java.util.Collections.unmodifiableSet(fields);
  }

  private static Set<String> sorted(String... names) {
    return java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(List.of(names)));
  }

  private final SsmBackend ssm;
  private volatile ServiceModel model;

  SsmState(SsmBackend ssm) {
    this.ssm = ssm;
  }

  @Override
  public String name() {
    return "ssm";
  }

  @Override
  public List<String> kinds() {
    // Settings first: the default tier decides the tier of a seeded parameter that names none.
    return KINDS;
  }

  // ---- documents --------------------------------------------------------------------------

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
    return document;
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

  /** Policies as DescribeParameters shows them, without PolicyStatus (which is the clock's, not the state's). */
  private static ArrayNode policies(List<ParameterPolicies.Policy> policies) {
    ArrayNode out = Json.array();
    policies.forEach(policy -> out.addObject().put("PolicyText", policy.text()).put("PolicyType", policy.type()));
    return out;
  }

  private static void putIfNotNull(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }

  // ---- export -----------------------------------------------------------------------------

  @Override
  public List<Scope> scopes() {
    List<Scope> scopes = new ArrayList<>();
    for (SsmRegion region : ssm.allRegions()) {
      if (!region.settings.isEmpty() || !region.parameters.isEmpty()) {
        scopes.add(new Scope(region.accountId, region.region));
      }
    }
    return scopes;
  }

  @Override
  public void export(String account, String region, SecretFields secrets, BiConsumer<String, ObjectNode> out) {
    SsmRegion state = ssm.peekRegion(account, region);
    if (state == null) {
      return;
    }
    new java.util.TreeMap<>(state.settings).forEach((id, setting) -> out.accept(SETTINGS, setting(id, setting)));
    RequestContext ctx = context(account, region);
    for (Parameter parameter : state.parameters.values()) {
      ObjectNode document;
      List<ParameterVersion> versions;
      synchronized (parameter) {
        if (parameter.deleted || parameter.versions.isEmpty()) {
          continue;
        }
        document = stored(parameter);
        versions = List.copyOf(parameter.versions.values());
      }
      // Decrypting is a KMS call: not under the parameter's lock.
      ArrayNode entries = (ArrayNode) document.get("Versions");
      for (int i = 0; i < versions.size(); i++) {
        ParameterVersion version = versions.get(i);
        if (!version.secure()) {
          continue;
        }
        String plaintext;
        try {
          plaintext = ssm.secureStrings().open(ctx, parameter.arn, version.sealed);
        } catch (AwsException e) {
          // Its key cannot decrypt now (disabled, pending deletion): the ciphertext alone still loads.
          continue;
        }
        entries.set(i, withValue((ObjectNode) entries.get(i), secrets.writeText(plaintext)));
      }
      out.accept(PARAMETERS, document);
    }
  }

  /** The version entry with Value after Type (where a reader looks for it). */
  private static ObjectNode withValue(ObjectNode entry, String value) {
    ObjectNode out = Json.object();
    entry.fields().forEachRemaining(field -> {
      out.set(field.getKey(), field.getValue());
      if (field.getKey().equals("Type")) {
        out.put("Value", value);
      }
    });
    return out;
  }

  // ---- load -------------------------------------------------------------------------------

  @Override
  public void load(String account, String region, String kind, ObjectNode document, SecretFields secrets) {
    switch (kind) {
      case SETTINGS -> loadSetting(account, region, document);
      case PARAMETERS -> loadParameter(account, region, document, secrets);
      default -> throw new IllegalArgumentException("ssm has no " + kind + " (it has " + String.join(", ", KINDS)
          + ")");
    }
  }

  /** Who a seed acts as: the account's root, now (policy checks), in the Region. */
  private static RequestContext context(String account, String region) {
    return new RequestContext("shunt-state", new Identity(account, null, root(account, region), region), Instant.now(),
        "127.0.0.1", "shunt-state");
  }

  private static String root(String account, String region) {
    return "arn:" + Identity.partitionOf(region) + ":iam::" + account + ":root";
  }

  private void loadSetting(String account, String region, ObjectNode document) {
    Documents.onlyFields(document, SETTING_FIELDS);
    String given = Documents.required(document, "SettingId");
    String id;
    try {
      id = ServiceSettings.normalize(given);
    } catch (AwsException e) {
      throw new IllegalArgumentException("SettingId " + given + " is not a setting Parameter Store has (it has "
          + String.join(", ", new java.util.TreeSet<>(ServiceSettings.DEFINITIONS.keySet())) + ")");
    }
    String value = Documents.required(document, "SettingValue");
    ServiceSettings.Definition definition = ServiceSettings.DEFINITIONS.get(id);
    if (!definition.allowed().contains(value)) {
      throw new IllegalArgumentException("The value " + value + " is not valid for the setting " + id
          + ". Valid values: " + definition.allowed() + ".");
    }
    Instant date = date(document, "LastModifiedDate");
    String user = Documents.text(document, "LastModifiedUser", null);
    SsmRegion state = ssm.region(account, region);
    ServiceSettings.Setting existing = state.settings.get(id);
    if (existing != null) {
      ObjectNode stated = Json.object().put("SettingId", id).put("SettingValue", value);
      if (date != null) {
        stated.put("LastModifiedDate", date.toString());
      }
      putIfNotNull(stated, "LastModifiedUser", user);
      String field = Documents.contradiction(stated, setting(id, existing));
      if (field != null) {
        throw new IllegalArgumentException("the setting " + id + " is customized otherwise: differs: " + field);
      }
      return;
    }
    state.settings.put(id, new ServiceSettings.Setting(value, date != null ? date : SEED_DATE,
        user != null ? user : root(account, region), true));
    Persistence.touched(state.storedSettings.get(id));
  }

  /** One version as a document states it: null where it says nothing. */
  private record Stated(long version, String type, String valueText, SecureStrings.Sealed sealed, String keyId,
      String description, String allowedPattern, String tier, String policiesText,
      List<ParameterPolicies.Policy> policies, String dataType, Instant date, String user, List<String> labels) {}

  private void loadParameter(String account, String region, ObjectNode document, SecretFields secrets) {
    Documents.onlyFields(document, PARAMETER_FIELDS);
    String name = ParameterNames.unwrapArn(Documents.required(document, "Name"));
    Map<String, String> tags = tags(document.get("Tags"));
    List<Stated> versions = versions(document);
    String type = type(versions);
    boolean secure = type.equals(SsmBackend.SECURE_STRING);
    List<String> plaintexts = new ArrayList<>();
    for (int i = 0; i < versions.size(); i++) {
      Stated stated = versions.get(i);
      String at = versions.size() == 1 && !document.has("Versions") ? "" : "Versions[" + i + "].";
      if (!secure && (stated.sealed() != null)) {
        throw new IllegalArgumentException(at + "SealedValue is only for SecureString parameters");
      }
      if (stated.valueText() == null && stated.sealed() == null) {
        throw new IllegalArgumentException(at + "Value is required");
      }
      plaintexts.add(stated.valueText() == null ? null
          : secure ? secrets.readText(stated.valueText(), at + "Value") : stated.valueText());
    }
    SsmRegion state = ssm.region(account, region);
    RequestContext ctx = context(account, region);
    Parameter existing = SsmBackend.live(state, ParameterNames.key(name), ctx.now());
    if (existing == null) {
      Parameter created = create(ctx, state, name, tags, versions, type, plaintexts);
      if (created != null) {
        return;
      }
      existing = SsmBackend.live(state, ParameterNames.key(name), ctx.now());
      if (existing == null) {
        throw new IllegalStateException("The parameter " + name + " was made and removed while it loaded");
      }
    }
    String field = contradiction(ctx, existing, name, document.has("Tags") ? tags : null, versions, plaintexts);
    if (field != null) {
      throw new IllegalArgumentException("the parameter exists and differs: " + field);
    }
  }

  // ---- reading a document -----------------------------------------------------------------

  private static Map<String, String> tags(JsonNode node) {
    Map<String, String> tags = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return tags;
    }
    if (node.isObject()) {
      // The hand-written shorthand {team: core}.
      node.fields().forEachRemaining(field -> {
        if (!field.getValue().isValueNode()) {
          throw new IllegalArgumentException("Tags." + field.getKey() + " must be a single value");
        }
        tags.put(field.getKey(), field.getValue().asText());
      });
      return tags;
    }
    if (!node.isArray()) {
      throw new IllegalArgumentException("Tags must be a list of {Key, Value}");
    }
    for (JsonNode tag : node) {
      if (!tag.isObject()) {
        throw new IllegalArgumentException("Tags must be a list of {Key, Value}");
      }
      Documents.onlyFields((ObjectNode) tag, Set.of("Key", "Value"));
      String key = Documents.required((ObjectNode) tag, "Key");
      if (tags.put(key, Documents.text((ObjectNode) tag, "Value", "")) != null) {
        throw new IllegalArgumentException("Tags gives the key " + key + " twice");
      }
    }
    return tags;
  }

  /** The versions a document states: its Versions, or the shorthand of one (its own version fields). */
  private static List<Stated> versions(ObjectNode document) {
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
  private static Instant date(ObjectNode node, String field) {
    String name = field.substring(field.lastIndexOf('.') + 1);
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    try {
      return Instant.parse(value.asText());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + " must be an ISO-8601 time such as 2026-01-05T10:00:00Z, not '"
          + value.asText() + "'");
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
  private static String type(List<Stated> versions) {
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

  // ---- making a parameter -----------------------------------------------------------------

  /**
   * Makes the parameter as PutParameter (and LabelParameterVersion) would have, checking what they
   * check; returns null (having changed nothing) when another of its name appeared meanwhile.
   */
  private Parameter create(RequestContext ctx, SsmRegion state, String name, Map<String, String> tags,
      List<Stated> versions, String type, List<String> plaintexts) {
    try {
      ParameterNames.checkWritable(name);
      for (String key : tags.keySet()) {
        SsmBackend.checkTagKey(key);
      }
      if (tags.size() > SsmBackend.MAX_TAGS) {
        throw SsmErrors.tooManyTags();
      }
    } catch (AwsException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    Parameter parameter = new Parameter(state.accountId, state.region, name);
    String effectiveType = SsmBackend.canonicalType(type);
    boolean secure = effectiveType.equals(SsmBackend.SECURE_STRING);
    List<Resolved> resolved = new ArrayList<>();
    Resolved previous = null;
    Set<String> labelled = new HashSet<>();
    for (int i = 0; i < versions.size(); i++) {
      Stated stated = versions.get(i);
      String at = versions.size() == 1 ? "" : "Versions[" + i + "] (Version " + stated.version() + "): ";
      try {
        Resolved next = resolve(ctx, state, parameter, stated, plaintexts.get(i), effectiveType, secure, previous,
            i == 0 ? tags : Map.of());
        for (String label : next.labels()) {
          if (!labelled.add(label)) {
            throw new IllegalArgumentException("the label " + label + " is on two versions; a label names one");
          }
        }
        resolved.add(next);
        previous = next;
      } catch (AwsException e) {
        throw new IllegalArgumentException(at + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + e.getMessage(), e);
      }
    }
    String tier;
    try {
      // Counting into a tier is the last step that can fail, as in PutParameter.
      tier = SsmBackend.reserve(state, previous.choice(), null);
    } catch (AwsException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    for (int i = 0; i < resolved.size(); i++) {
      Resolved version = resolved.get(i);
      Stated stated = versions.get(i);
      ParameterVersion made = new ParameterVersion(stated.version(), effectiveType, secure ? null : version.plaintext(),
          version.sealed(), version.keyId(), version.description(), version.allowedPattern(),
          i == resolved.size() - 1 ? tier : version.choice().tier(), version.policies(), version.dataType(),
          stated.date() != null ? stated.date() : SEED_DATE,
          state.user(stated.user() != null ? stated.user() : root(state.accountId, state.region)));
      made.labels.addAll(version.labels());
      parameter.versions.put(made.version, made);
    }
    parameter.lastVersion = parameter.versions.lastKey();
    parameter.tags.putAll(tags);
    synchronized (parameter) {
      if (state.parameters.putIfAbsent(parameter.key, parameter) != null) {
        state.counter(tier).decrementAndGet();
        return null;
      }
      Persistence.touched(parameter);
    }
    return parameter;
  }

  /** A version with what it keeps from the one before it, checked. */
  private record Resolved(String plaintext, SecureStrings.Sealed sealed, String keyId, String description,
      String allowedPattern, SsmBackend.TierChoice choice, List<ParameterPolicies.Policy> policies, String dataType,
      List<String> labels) {}

  private Resolved resolve(RequestContext ctx, SsmRegion state, Parameter parameter, Stated stated, String plaintext,
      String type, boolean secure, Resolved previous, Map<String, String> tags) {
    // PutParameter's input rules (lengths, enums, patterns), from the AWS model, with its messages.
    ObjectNode input = Json.object().put("Name", parameter.name).put("Value", plaintext != null ? plaintext : "-")
        .put("Type", stated.type() != null ? stated.type() : type);
    putIfNotNull(input, "KeyId", stated.keyId());
    putIfNotNull(input, "Description", stated.description());
    putIfNotNull(input, "AllowedPattern", stated.allowedPattern());
    putIfNotNull(input, "Tier", stated.tier());
    putIfNotNull(input, "Policies", stated.policiesText());
    putIfNotNull(input, "DataType", stated.dataType());
    if (!tags.isEmpty()) {
      ArrayNode list = input.putArray("Tags");
      tags.forEach((key, value) -> list.addObject().put("Key", key).put("Value", value));
    }
    model().validateInput("PutParameter", input);
    if (plaintext != null && plaintext.isEmpty()) {
      throw new IllegalArgumentException("1 validation error detected: Value at 'value' failed to satisfy constraint: "
          + "Member must have length greater than or equal to 1");
    }
    if (stated.keyId() != null && !secure) {
      throw new IllegalArgumentException("KeyId is only supported for SecureString parameters.");
    }
    String dataType = stated.dataType() != null ? SsmBackend.checkDataType(stated.dataType(), parameter.name, plaintext)
        : previous != null ? previous.dataType() : "text";
    Instant writtenAt = stated.date() != null ? stated.date() : ctx.now();
    List<ParameterPolicies.Policy> policies = stated.policiesText() != null
        ? ParameterPolicies.parse(stated.policiesText(), writtenAt)
        : previous != null ? previous.policies() : List.of();
    int valueBytes = plaintext == null ? 0 : plaintext.getBytes(StandardCharsets.UTF_8).length;
    SsmBackend.TierChoice choice = SsmBackend.tier(ctx, state, stated.tier(),
        previous == null ? null : previous.choice().tier(), valueBytes, !policies.isEmpty());
    String pattern = stated.allowedPattern() != null ? stated.allowedPattern()
        : previous != null ? previous.allowedPattern() : null;
    if (pattern != null && !pattern.isEmpty() && plaintext != null) {
      SsmBackend.checkPattern(pattern, plaintext);
    }
    String keyId = !secure ? null : stated.keyId() != null ? stated.keyId()
        : previous != null ? previous.keyId() : SecureStrings.DEFAULT_KEY;
    List<String> labels = new ArrayList<>(new LinkedHashSet<>(stated.labels() == null ? List.of() : stated.labels()));
    for (String label : labels) {
      if (!SsmBackend.validLabel(label)) {
        throw new IllegalArgumentException("the label " + label + " is not one LabelParameterVersion takes: letters,"
            + " digits, '.', '-' and '_', at most 100, not starting with a digit, aws or ssm");
      }
    }
    if (labels.size() > SsmBackend.MAX_LABELS_PER_VERSION) {
      throw SsmErrors.labelLimit();
    }
    SecureStrings.Sealed sealed = secure ? seal(ctx, parameter, keyId, plaintext, stated.sealed()) : null;
    return new Resolved(plaintext, sealed, keyId, stated.description() != null ? stated.description()
        : previous != null ? previous.description() : null, pattern, choice, policies, dataType, labels);
  }

  /**
   * The ciphertext a SecureString version keeps: the document's own when it has no plaintext (the
   * store), or when it opens to the plaintext (an export); else the plaintext encrypted under
   * {@code keyId} as PutParameter does.
   */
  private SecureStrings.Sealed seal(RequestContext ctx, Parameter parameter, String keyId, String plaintext,
      SecureStrings.Sealed given) {
    if (given != null) {
      if (plaintext == null) {
        return given;
      }
      try {
        if (plaintext.equals(ssm.secureStrings().open(ctx, parameter.arn, given))) {
          return given;
        }
      } catch (RuntimeException e) {
        // Not this parameter's ciphertext here (another account, another key): encrypt the value again.
      }
    }
    return ssm.secureStrings().seal(ctx, keyId, parameter.arn, plaintext);
  }

  private ServiceModel model() {
    ServiceModel loaded = model;
    if (loaded == null) {
      loaded = ServiceModel.load("ssm");
      model = loaded;
    }
    return loaded;
  }

  // ---- comparing with what exists ---------------------------------------------------------

  /**
   * The first field the document states that the existing parameter has otherwise, or null:
   * versions are compared by number (one aged out of the 100 kept is not compared), tags and
   * labels stated must be there (others may have been added since), and a SecureString's value
   * by its plaintext.
   */
  private String contradiction(RequestContext ctx, Parameter existing, String name, Map<String, String> tags,
      List<Stated> versions, List<String> plaintexts) {
    ObjectNode stated = Json.object().put("Name", name);
    ObjectNode theirs = Json.object();
    List<ParameterVersion> kept;
    synchronized (existing) {
      theirs.put("Name", existing.name);
      ObjectNode existingTags = theirs.putObject("Tags");
      existing.tags.forEach(existingTags::put);
      kept = new ArrayList<>(existing.versions.values());
      List<List<String>> labels = new ArrayList<>();
      kept.forEach(version -> labels.add(List.copyOf(version.labels)));
      ObjectNode theirVersions = theirs.putObject("Versions");
      for (int i = 0; i < kept.size(); i++) {
        theirVersions.set(Long.toString(kept.get(i).version), comparable(kept.get(i), labels.get(i)));
      }
    }
    if (tags != null) {
      ObjectNode statedTags = stated.putObject("Tags");
      tags.forEach(statedTags::put);
    }
    ObjectNode statedVersions = stated.putObject("Versions");
    long oldestKept = kept.get(0).version;
    for (int i = 0; i < versions.size(); i++) {
      Stated version = versions.get(i);
      if (version.version() < oldestKept) {
        continue;
      }
      ObjectNode entry = statedVersions.putObject(Long.toString(version.version()));
      putIfNotNull(entry, "Type", version.type());
      ObjectNode their = (ObjectNode) theirs.path("Versions").get(Long.toString(version.version()));
      if (plaintexts.get(i) != null) {
        entry.put("Value", plaintexts.get(i));
        if (their != null && !their.has("Value")) {
          their.put("Value", plaintext(ctx, existing, version.version(), kept));
        }
      } else if (version.sealed() != null) {
        entry.put("SealedValue", Base64.getEncoder().encodeToString(version.sealed().ciphertext()));
      }
      putIfNotNull(entry, "KeyId", version.keyId());
      putIfNotNull(entry, "Description", version.description());
      putIfNotNull(entry, "AllowedPattern", version.allowedPattern());
      if (version.tier() != null && !version.tier().equals(SsmBackend.INTELLIGENT)) {
        entry.put("Tier", version.tier());
      }
      if (version.policies() != null) {
        entry.set("Policies", policies(version.policies()));
      }
      putIfNotNull(entry, "DataType", version.dataType());
      if (version.date() != null) {
        entry.put("LastModifiedDate", version.date().toString());
      }
      putIfNotNull(entry, "LastModifiedUser", version.user());
      if (version.labels() != null) {
        ObjectNode labels = entry.putObject("Labels");
        version.labels().forEach(label -> labels.put(label, true));
      }
    }
    return Documents.contradiction(stated, theirs);
  }

  /** A version as compared: labels as a set ({label: true}), values as given (SecureString's opened when needed). */
  private static ObjectNode comparable(ParameterVersion version, List<String> labels) {
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

  private String plaintext(RequestContext ctx, Parameter parameter, long number, List<ParameterVersion> kept) {
    for (ParameterVersion version : kept) {
      if (version.version == number) {
        try {
          return ssm.secureStrings().open(ctx, parameter.arn, version.sealed);
        } catch (AwsException e) {
          throw new IllegalArgumentException("the existing Version " + number + "'s value cannot be decrypted to"
              + " compare it: " + e.getMessage());
        }
      }
    }
    throw new IllegalStateException("no version " + number);
  }
}
