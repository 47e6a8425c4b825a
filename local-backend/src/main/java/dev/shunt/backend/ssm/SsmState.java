package dev.shunt.backend.ssm;

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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Parameter Store's state as a section of the store, seed files and export: the customized
 * service settings and the parameters, as the documents {@link ParameterDocuments} describes.
 * Loading checks everything PutParameter and LabelParameterVersion check, with their messages.
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
    new java.util.TreeMap<>(state.settings)
        .forEach((id, setting) -> out.accept(SETTINGS, ParameterDocuments.setting(id, setting)));
    RequestContext ctx = context(account, region);
    for (Parameter parameter : state.parameters.values()) {
      ObjectNode document;
      List<ParameterVersion> versions;
      synchronized (parameter) {
        if (parameter.deleted || parameter.versions.isEmpty()) {
          continue;
        }
        document = ParameterDocuments.stored(parameter);
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
        entries.set(i, ParameterDocuments.withValue((ObjectNode) entries.get(i), secrets.writeText(plaintext)));
      }
      out.accept(PARAMETERS, document);
    }
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
    Documents.onlyFields(document, ParameterDocuments.SETTING_FIELDS);
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
    Instant date = ParameterDocuments.date(document, "LastModifiedDate");
    String user = Documents.text(document, "LastModifiedUser", null);
    SsmRegion state = ssm.region(account, region);
    ServiceSettings.Setting existing = state.settings.get(id);
    if (existing != null) {
      ObjectNode stated = Json.object().put("SettingId", id).put("SettingValue", value);
      if (date != null) {
        stated.put("LastModifiedDate", date.toString());
      }
      ParameterDocuments.putIfNotNull(stated, "LastModifiedUser", user);
      String field = Documents.contradiction(stated, ParameterDocuments.setting(id, existing));
      if (field != null) {
        throw new IllegalArgumentException("the setting " + id + " is customized otherwise: differs: " + field);
      }
      return;
    }
    state.settings.put(id, new ServiceSettings.Setting(value, date != null ? date : SEED_DATE,
        user != null ? user : root(account, region), true));
    Persistence.touched(state.storedSettings.get(id));
  }

  /** A parameter's document, checked, with its values opened (SecureString values under {@code secrets}). */
  private record Stated(String name, Map<String, String> tags, List<ParameterDocuments.Stated> versions,
      List<ParameterDocuments.StatedPolicy> policies, String type, List<String> plaintexts) {}

  private static Stated parse(ObjectNode document, SecretFields secrets) {
    Documents.onlyFields(document, ParameterDocuments.PARAMETER_FIELDS);
    String name = ParameterNames.unwrapArn(Documents.required(document, "Name"));
    Map<String, String> tags = java.util.Objects.requireNonNullElseGet(Documents.tags(document.get("Tags")),
        java.util.LinkedHashMap::new);
    List<ParameterDocuments.Stated> versions = ParameterDocuments.versions(document);
    List<ParameterDocuments.StatedPolicy> policies = ParameterDocuments.resourcePolicies(document);
    String type = ParameterDocuments.type(versions);
    boolean secure = type.equals(SsmBackend.SECURE_STRING);
    List<String> plaintexts = new ArrayList<>();
    for (int i = 0; i < versions.size(); i++) {
      ParameterDocuments.Stated stated = versions.get(i);
      String at = versions.size() == 1 && !document.has("Versions") ? "" : "Versions[" + i + "].";
      if (!secure && stated.sealed() != null) {
        throw new IllegalArgumentException(at + "SealedValue is only for SecureString parameters");
      }
      if (stated.valueText() == null && stated.sealed() == null) {
        throw new IllegalArgumentException(at + "Value is required");
      }
      plaintexts.add(stated.valueText() == null ? null
          : secure ? secrets.readText(stated.valueText(), at + "Value") : stated.valueText());
    }
    return new Stated(name, tags, versions, policies, type, plaintexts);
  }

  private void loadParameter(String account, String region, ObjectNode document, SecretFields secrets) {
    Stated p = parse(document, secrets);
    SsmRegion state = ssm.region(account, region);
    RequestContext ctx = context(account, region);
    Parameter existing = SsmBackend.live(state, ParameterNames.key(p.name()), ctx.now());
    if (existing == null) {
      Parameter created = create(ctx, state, p.name(), p.tags(), p.versions(), p.type(), p.plaintexts(),
          p.policies());
      if (created != null) {
        return;
      }
      existing = SsmBackend.live(state, ParameterNames.key(p.name()), ctx.now());
      if (existing == null) {
        throw new IllegalStateException("The parameter " + p.name() + " was made and removed while it loaded");
      }
    }
    String field = contradiction(ctx, existing, p.name(), document.has("Tags") ? p.tags() : null, p.versions(),
        p.plaintexts(), p.policies());
    if (field != null) {
      throw new IllegalArgumentException("the parameter exists and differs: " + field);
    }
  }

  // ---- replace and remove (another node's changes) ----------------------------------------

  @Override
  public void replace(String account, String region, String kind, ObjectNode document, SecretFields secrets) {
    switch (kind) {
      case SETTINGS -> replaceSetting(account, region, document);
      case PARAMETERS -> replaceParameter(account, region, document, secrets);
      default -> throw new IllegalArgumentException("ssm has no " + kind + " (it has " + String.join(", ", KINDS)
          + ")");
    }
  }

  @Override
  public void remove(String account, String region, String kind, String id) {
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException("ssm has no " + kind + " (it has " + String.join(", ", KINDS) + ")");
    }
    SsmRegion state = ssm.peekRegion(account, region);
    if (state == null) {
      return;
    }
    if (kind.equals(SETTINGS)) {
      // Back to its default (ResetServiceSetting there); a setting is an immutable record in a concurrent map.
      state.settings.remove(id);
      return;
    }
    Parameter parameter = state.parameters.get(id);
    if (parameter != null) {
      synchronized (parameter) {
        if (!parameter.deleted) {
          SsmBackend.forget(state, parameter);
        }
      }
    }
  }

  /** A customized setting as another node wrote it: an immutable record put in the map (readers see one or the other). */
  private void replaceSetting(String account, String region, ObjectNode document) {
    Documents.onlyFields(document, ParameterDocuments.SETTING_FIELDS);
    String given = Documents.required(document, "SettingId");
    String id;
    try {
      id = ServiceSettings.normalize(given);
    } catch (AwsException e) {
      throw new IllegalArgumentException("SettingId " + given + " is not a setting Parameter Store has");
    }
    String value = Documents.required(document, "SettingValue");
    if (!ServiceSettings.DEFINITIONS.get(id).allowed().contains(value)) {
      throw new IllegalArgumentException("The value " + value + " is not valid for the setting " + id + ". Valid"
          + " values: " + ServiceSettings.DEFINITIONS.get(id).allowed() + ".");
    }
    Instant date = ParameterDocuments.date(document, "LastModifiedDate");
    String user = Documents.text(document, "LastModifiedUser", null);
    ssm.region(account, region).settings.put(id, new ServiceSettings.Setting(value, date != null ? date : SEED_DATE,
        user != null ? user : root(account, region), true));
  }

  /**
   * A parameter as another node wrote it. Built and checked as a seed's is (but for the tier
   * limits and sharing prerequisites, which the other node applied), then taken in place under
   * the parameter's monitor: PutParameter, LabelParameterVersion, the tag and policy operations
   * all change a parameter under it, and readers pick a version under it, so a request sees the
   * old history or the new one, and a write after this adds to the new (a new object instead
   * would take a racing PutParameter's version into an object no longer in the map). The tier
   * counts, the shared index and the sorted map (paths) follow. A parameter of the same key but
   * another name ("x" against "/x": made again there) replaces the object, the old one marked
   * deleted so that a writer holding it starts again, as after DeleteParameter.
   */
  private void replaceParameter(String account, String region, ObjectNode document, SecretFields secrets) {
    Stated p = parse(document, secrets);
    SsmRegion state = ssm.region(account, region);
    RequestContext ctx = context(account, region);
    Parameter stored = build(ctx, state, p.name(), p.tags(), p.versions(), p.type(), p.plaintexts(), p.policies(),
        false);
    while (true) {
      Parameter existing = state.parameters.get(stored.key);
      if (existing == null) {
        synchronized (stored) {
          if (state.parameters.putIfAbsent(stored.key, stored) == null) {
            counted(state, stored, null, false);
            return;
          }
        }
        continue;
      }
      synchronized (existing) {
        if (existing.deleted) {
          continue; // on its way out of the map (DeleteParameter, expiry): look again
        }
        ParameterVersion before = existing.latest();
        boolean shared = !existing.resourcePolicies().isEmpty();
        if (existing.name.equals(stored.name)) {
          existing.replaceWith(stored);
          counted(state, existing, before, shared);
          return;
        }
        synchronized (stored) {
          if (state.parameters.replace(stored.key, existing, stored)) {
            existing.deleted = true;
            counted(state, stored, before, shared);
            return;
          }
        }
      }
    }
  }

  /**
   * Moves a parameter's tier count and shared-index entry from what it was ({@code before}: the
   * latest version it had, or null; {@code wasShared}) to what it is; under its monitor.
   */
  private static void counted(SsmRegion state, Parameter parameter, ParameterVersion before, boolean wasShared) {
    if (before != null) {
      state.counter(before.tier).decrementAndGet();
    }
    state.counter(parameter.latest().tier).incrementAndGet();
    boolean shared = !parameter.resourcePolicies().isEmpty();
    if (shared) {
      state.shared.add(parameter.key);
    } else if (wasShared) {
      state.shared.remove(parameter.key);
    }
  }

  // ---- making a parameter -----------------------------------------------------------------

  /**
   * Makes the parameter as PutParameter (and LabelParameterVersion) would have, checking what they
   * check; returns null (having changed nothing) when another of its name appeared meanwhile.
   */
  private Parameter create(RequestContext ctx, SsmRegion state, String name, Map<String, String> tags,
      List<ParameterDocuments.Stated> versions, String type, List<String> plaintexts,
      List<ParameterDocuments.StatedPolicy> policies) {
    Parameter parameter = build(ctx, state, name, tags, versions, type, plaintexts, policies, true);
    String tier = parameter.latest().tier;
    synchronized (parameter) {
      if (state.parameters.putIfAbsent(parameter.key, parameter) != null) {
        state.counter(tier).decrementAndGet();
        return null;
      }
      if (!parameter.resourcePolicies().isEmpty()) {
        state.shared.add(parameter.key);
      }
      Persistence.touched(parameter);
    }
    return parameter;
  }

  /**
   * The parameter a document describes, checked as PutParameter (and LabelParameterVersion)
   * check it, not yet in its Region. {@code asAws}: counted into its tier within the account's
   * limits, and its resource policies held to AWS's sharing prerequisites, as a seed is; without,
   * as another node's parameter is (it met them there, and the key its prerequisite reads may not
   * have reached this node yet): nothing counted, the tier the document's.
   */
  private Parameter build(RequestContext ctx, SsmRegion state, String name, Map<String, String> tags,
      List<ParameterDocuments.Stated> versions, String type, List<String> plaintexts,
      List<ParameterDocuments.StatedPolicy> policies, boolean asAws) {
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
    String effectiveType = ParameterRules.canonicalType(type);
    boolean secure = effectiveType.equals(SsmBackend.SECURE_STRING);
    List<Resolved> resolved = new ArrayList<>();
    Resolved previous = null;
    Set<String> labelled = new HashSet<>();
    for (int i = 0; i < versions.size(); i++) {
      ParameterDocuments.Stated stated = versions.get(i);
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
    String tier = previous.choice().tier();
    if (asAws) {
      try {
        // Counting into a tier is the last step that can fail, as in PutParameter.
        tier = ParameterRules.reserve(state, previous.choice(), null);
      } catch (AwsException e) {
        throw new IllegalArgumentException(e.getMessage());
      }
    }
    for (int i = 0; i < resolved.size(); i++) {
      Resolved version = resolved.get(i);
      ParameterDocuments.Stated stated = versions.get(i);
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
    if (policies != null && !policies.isEmpty()) {
      try {
        parameter.resourcePolicies(resourcePolicies(state, parameter, policies, asAws));
      } catch (RuntimeException e) {
        if (asAws) {
          state.counter(tier).decrementAndGet();
        }
        throw e;
      }
    }
    return parameter;
  }

  /**
   * The resource policies a document shares the parameter with, checked as PutResourcePolicy
   * checks them (an advanced parameter, a customer managed key, the policy's rules); a PolicyId
   * left out is made of the parameter's ARN and the policy's place, so a seed makes the same ids
   * everywhere; a PolicyHash stated must be the policy's.
   */
  private List<ParameterResourcePolicies.Entry> resourcePolicies(SsmRegion state, Parameter parameter,
      List<ParameterDocuments.StatedPolicy> policies, boolean prerequisites) {
    if (policies.size() > ParameterResourcePolicies.MAX_POLICIES) {
      throw new IllegalArgumentException("ResourcePolicies holds " + policies.size() + " policies; a parameter has at "
          + "most " + ParameterResourcePolicies.MAX_POLICIES);
    }
    try {
      if (prerequisites) {
        ssm.sharing().checkShareable(state.accountId, state.region, parameter);
      }
    } catch (AwsException e) {
      throw new IllegalArgumentException("ResourcePolicies: " + e.getMessage());
    }
    List<ParameterResourcePolicies.Entry> entries = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < policies.size(); i++) {
      ParameterDocuments.StatedPolicy stated = policies.get(i);
      String at = "ResourcePolicies[" + i + "].";
      try {
        ParameterResourcePolicies.check(stated.text(), parameter.arn);
      } catch (AwsException e) {
        throw new IllegalArgumentException(at + "Policy: " + e.getMessage());
      }
      String id = stated.id() != null ? stated.id() : java.util.UUID.nameUUIDFromBytes((parameter.arn + "#" + i)
          .getBytes(StandardCharsets.UTF_8)).toString();
      if (!ids.add(id)) {
        throw new IllegalArgumentException(at + "PolicyId " + id + " is given twice; an id names one policy");
      }
      ParameterResourcePolicies.Entry entry = ParameterResourcePolicies.Entry.of(id, stated.text());
      if (stated.hash() != null && !stated.hash().equals(entry.hash())) {
        throw new IllegalArgumentException(at + "PolicyHash " + stated.hash() + " is not the hash of its Policy ("
            + entry.hash() + ")");
      }
      entries.add(entry);
    }
    return entries;
  }

  /** A version with what it keeps from the one before it, checked. */
  private record Resolved(String plaintext, SecureStrings.Sealed sealed, String keyId, String description,
      String allowedPattern, ParameterRules.TierChoice choice, List<ParameterPolicies.Policy> policies, String dataType,
      List<String> labels) {}

  private Resolved resolve(RequestContext ctx, SsmRegion state, Parameter parameter, ParameterDocuments.Stated stated,
      String plaintext, String type, boolean secure, Resolved previous, Map<String, String> tags) {
    // PutParameter's input rules (lengths, enums, patterns), from the AWS model, with its messages.
    ObjectNode input = Json.object().put("Name", parameter.name).put("Value", plaintext != null ? plaintext : "-")
        .put("Type", stated.type() != null ? stated.type() : type);
    ParameterDocuments.putIfNotNull(input, "KeyId", stated.keyId());
    ParameterDocuments.putIfNotNull(input, "Description", stated.description());
    ParameterDocuments.putIfNotNull(input, "AllowedPattern", stated.allowedPattern());
    ParameterDocuments.putIfNotNull(input, "Tier", stated.tier());
    ParameterDocuments.putIfNotNull(input, "Policies", stated.policiesText());
    ParameterDocuments.putIfNotNull(input, "DataType", stated.dataType());
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
    String dataType = stated.dataType() != null ? ParameterRules.checkDataType(stated.dataType(), parameter.name, plaintext)
        : previous != null ? previous.dataType() : "text";
    Instant writtenAt = stated.date() != null ? stated.date() : ctx.now();
    List<ParameterPolicies.Policy> policies = stated.policiesText() != null
        ? ParameterPolicies.parse(stated.policiesText(), writtenAt)
        : previous != null ? previous.policies() : List.of();
    int valueBytes = plaintext == null ? 0 : plaintext.getBytes(StandardCharsets.UTF_8).length;
    ParameterRules.TierChoice choice = ParameterRules.tier(ctx, state, stated.tier(),
        previous == null ? null : previous.choice().tier(), valueBytes, !policies.isEmpty());
    String pattern = stated.allowedPattern() != null ? stated.allowedPattern()
        : previous != null ? previous.allowedPattern() : null;
    if (pattern != null && !pattern.isEmpty() && plaintext != null) {
      ParameterRules.checkPattern(pattern, plaintext);
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
      List<ParameterDocuments.Stated> versions, List<String> plaintexts,
      List<ParameterDocuments.StatedPolicy> policies) {
    ObjectNode stated = Json.object().put("Name", name);
    ObjectNode theirs = Json.object();
    List<ParameterVersion> kept;
    if (policies != null) {
      ArrayNode list = stated.putArray("ResourcePolicies");
      for (ParameterDocuments.StatedPolicy policy : policies) {
        ObjectNode entry = list.addObject();
        ParameterDocuments.putIfNotNull(entry, "PolicyId", policy.id());
        ParameterDocuments.putIfNotNull(entry, "PolicyHash", policy.hash());
        entry.put("Policy", policy.text());
      }
      theirs.set("ResourcePolicies", ParameterDocuments.resourcePolicies(existing.resourcePolicies()));
    }
    synchronized (existing) {
      theirs.put("Name", existing.name);
      ObjectNode existingTags = theirs.putObject("Tags");
      existing.tags.forEach(existingTags::put);
      kept = new ArrayList<>(existing.versions.values());
      List<List<String>> labels = new ArrayList<>();
      kept.forEach(version -> labels.add(List.copyOf(version.labels)));
      ObjectNode theirVersions = theirs.putObject("Versions");
      for (int i = 0; i < kept.size(); i++) {
        theirVersions.set(Long.toString(kept.get(i).version),
            ParameterDocuments.comparable(kept.get(i), labels.get(i)));
      }
    }
    if (tags != null) {
      ObjectNode statedTags = stated.putObject("Tags");
      tags.forEach(statedTags::put);
    }
    ObjectNode statedVersions = stated.putObject("Versions");
    long oldestKept = kept.get(0).version;
    for (int i = 0; i < versions.size(); i++) {
      ParameterDocuments.Stated version = versions.get(i);
      if (version.version() < oldestKept) {
        continue;
      }
      ObjectNode entry = statedVersions.putObject(Long.toString(version.version()));
      ParameterDocuments.putIfNotNull(entry, "Type", version.type());
      ObjectNode their = (ObjectNode) theirs.path("Versions").get(Long.toString(version.version()));
      if (plaintexts.get(i) != null) {
        entry.put("Value", plaintexts.get(i));
        if (their != null && !their.has("Value")) {
          their.put("Value", plaintext(ctx, existing, version.version(), kept));
        }
      } else if (version.sealed() != null) {
        entry.put("SealedValue", Base64.getEncoder().encodeToString(version.sealed().ciphertext()));
      }
      ParameterDocuments.putIfNotNull(entry, "KeyId", version.keyId());
      ParameterDocuments.putIfNotNull(entry, "Description", version.description());
      ParameterDocuments.putIfNotNull(entry, "AllowedPattern", version.allowedPattern());
      if (version.tier() != null && !version.tier().equals(SsmBackend.INTELLIGENT)) {
        entry.put("Tier", version.tier());
      }
      if (version.policies() != null) {
        entry.set("Policies", ParameterDocuments.policies(version.policies()));
      }
      ParameterDocuments.putIfNotNull(entry, "DataType", version.dataType());
      if (version.date() != null) {
        entry.put("LastModifiedDate", version.date().toString());
      }
      ParameterDocuments.putIfNotNull(entry, "LastModifiedUser", version.user());
      if (version.labels() != null) {
        ObjectNode labels = entry.putObject("Labels");
        version.labels().forEach(label -> labels.put(label, true));
      }
    }
    return Documents.contradiction(stated, theirs);
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
