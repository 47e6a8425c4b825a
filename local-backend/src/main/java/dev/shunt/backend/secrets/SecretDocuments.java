package dev.shunt.backend.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.PolicyDocument;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.store.Documents;
import dev.shunt.backend.store.SecretFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

/**
 * A secret as a document, in AWS's field names as DescribeSecret, ListSecretVersionIds and
 * GetSecretValue show them (dates as ISO-8601 text), plus what AWS keeps but never shows:
 * <pre>
 * Name: prod/db                      # required
 * ARN: arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf
 *                                    # default: a 6-character suffix derived from account and name
 * Description: ...                   KmsKeyId: alias/app      Type: ...
 * Tags: [{Key: team, Value: core}]   # present (maybe []) once the secret was ever tagged, as AWS shows it;
 *                                    # a seed may give a mapping {team: core}
 * CreatedDate: 2024-01-01T00:00:00Z  # default: when it is loaded
 * LastChangedDate, LastAccessedDate, LastRotatedDate, NextRotationDate
 * DeletedDate, DeletionDate          # scheduled for deletion (DeletionDate default: DeletedDate + 30 days)
 * RotationEnabled: true              RotationLambdaARN: ...
 * RotationRules: {AutomaticallyAfterDays: 30, Duration: 2h, ScheduleExpression: ...}
 * ResourcePolicy: '{"Version": ...}' # the policy's JSON text (a mapping is taken too)
 * PrimaryRegion: us-east-1           # present once the secret was ever replicated (a replica: not its own Region)
 * ReplicationStatus: [{Region: eu-west-1, KmsKeyId: ..., Status: InSync, StatusMessage: ...}]
 * Versions:                          # in creation order
 *   - VersionId: ...                 # default: derived from account, name and position
 *     VersionStages: [AWSCURRENT]    # default: none, but the last version with a value gets AWSCURRENT if none has it
 *     CreatedDate: ...               # default: the secret's CreatedDate
 *     LastAccessedDate: ...
 *     SecretString: text             # or SecretBinary: base64; either may be sealed:... under the root key;
 *                                    # or SealedValue (the store's form); none: a rotation's version not made yet
 * SecretString: text                 # seeds only: one version, AWSCURRENT (instead of Versions)
 * </pre>
 * A SecretString may also be given as a mapping or list (taken as its compact JSON text). The
 * store keeps values in their sealed form, {@code SealedValue: {KmsKeyArn, EncryptedDataKey,
 * Ciphertext, Binary}}: the data key as the secret's KMS key wrapped it and the AES-GCM sealed
 * value, so writing a secret never needs KMS. A rotation in progress is not part of the
 * document: after a restart its AWSPENDING version is reattempted by the next RotateSecret or the
 * scheduler, as AWS does with a rotation that did not finish.
 */
final class SecretDocuments {
  static final Set<String> FIELDS = Set.of("Name", "ARN", "Description", "KmsKeyId", "Type", "Tags", "CreatedDate",
      "LastChangedDate", "LastAccessedDate", "DeletedDate", "DeletionDate", "RotationEnabled", "RotationLambdaARN",
      "RotationRules", "LastRotatedDate", "NextRotationDate", "ResourcePolicy", "PrimaryRegion", "ReplicationStatus",
      "Versions", "SecretString", "SecretBinary");
  private static final Set<String> VERSION_FIELDS = Set.of("VersionId", "VersionStages", "CreatedDate",
      "LastAccessedDate", "SecretString", "SecretBinary", "SealedValue");
  private static final Set<String> SEALED_FIELDS = Set.of("KmsKeyArn", "EncryptedDataKey", "Ciphertext", "Binary");
  private static final Set<String> RULES_FIELDS = Set.of("AutomaticallyAfterDays", "Duration", "ScheduleExpression");
  private static final Set<String> REPLICA_FIELDS = Set.of("Region", "KmsKeyId", "Status", "StatusMessage");
  private static final Set<String> REPLICA_STATUSES = Set.of("InSync", "Failed", "InProgress");
  /** AWS's default recovery window, for a DeletedDate given without its DeletionDate. */
  private static final Duration DEFAULT_RECOVERY_WINDOW = Duration.ofDays(30);
  private static final String SUFFIX_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private SecretDocuments() {}

  // ---- writing ----------------------------------------------------------------------------

  /** The store's document: the whole secret, values sealed as they are held. Under the secret's monitor. */
  static ObjectNode stored(Secret secret) {
    ObjectNode document = metadata(secret);
    ArrayNode versions = document.putArray("Versions");
    for (SecretVersion version : secret.versions.values()) {
      ObjectNode entry = version(versions, version);
      SecretCipher.Sealed value = version.value;
      if (value != null) {
        putSealed(entry, value);
      }
    }
    return document;
  }

  /** A version's value in the store's form: its data key as KMS wrapped it, and the sealed value. */
  static void putSealed(ObjectNode version, SecretCipher.Sealed value) {
    version.putObject("SealedValue").put("KmsKeyArn", value.kmsKeyArn())
        .put("EncryptedDataKey", base64(value.wrappedKey())).put("Ciphertext", base64(value.sealed()))
        .put("Binary", value.binary());
  }

  /** What export takes under the secret's monitor: the document without values, and each version's sealed value. */
  record Snapshot(ObjectNode document, Map<String, SecretCipher.Sealed> values) {}

  static Snapshot snapshot(Secret secret) {
    ObjectNode document = metadata(secret);
    ArrayNode versions = document.putArray("Versions");
    Map<String, SecretCipher.Sealed> values = new LinkedHashMap<>();
    for (SecretVersion version : secret.versions.values()) {
      version(versions, version);
      if (version.value != null) {
        values.put(version.versionId, version.value);
      }
    }
    return new Snapshot(document, values);
  }

  private static ObjectNode metadata(Secret secret) {
    ObjectNode document = Json.object().put("Name", secret.name).put("ARN", secret.arn);
    putIf(document, "Description", secret.description);
    putIf(document, "KmsKeyId", secret.kmsKeyId);
    putIf(document, "Type", secret.type);
    if (secret.everTagged) {
      ArrayNode tags = document.putArray("Tags");
      secret.tags.forEach((key, value) -> tags.addObject().put("Key", key).put("Value", value));
    }
    Documents.putDate(document, "CreatedDate", secret.createdDate);
    Documents.putDate(document, "LastChangedDate", secret.lastChangedDate);
    Documents.putDate(document, "LastAccessedDate", secret.lastAccessedDate);
    Documents.putDate(document, "DeletedDate", secret.deletedDate);
    Documents.putDate(document, "DeletionDate", secret.deletionDate);
    if (secret.rotationEnabled || secret.rotationLambdaArn != null) {
      document.put("RotationEnabled", secret.rotationEnabled);
    }
    putIf(document, "RotationLambdaARN", secret.rotationLambdaArn);
    Secret.RotationRules rules = secret.rotationRules;
    if (rules != null) {
      ObjectNode node = document.putObject("RotationRules");
      if (rules.automaticallyAfterDays() != null) {
        node.put("AutomaticallyAfterDays", rules.automaticallyAfterDays());
      }
      putIf(node, "Duration", rules.duration());
      putIf(node, "ScheduleExpression", rules.scheduleExpression());
    }
    Documents.putDate(document, "LastRotatedDate", secret.lastRotatedDate);
    Documents.putDate(document, "NextRotationDate", secret.nextRotationDate);
    if (secret.resourcePolicy != null) {
      document.put("ResourcePolicy", secret.resourcePolicy.text());
    }
    if (secret.everReplicated) {
      document.put("PrimaryRegion", secret.primaryRegion);
    }
    if (!secret.replicas.isEmpty()) {
      ArrayNode status = document.putArray("ReplicationStatus");
      for (Secret.Replica replica : secret.replicas.values()) {
        ObjectNode entry = status.addObject().put("Region", replica.region);
        putIf(entry, "KmsKeyId", replica.kmsKeyId);
        putIf(entry, "Status", replica.status);
        putIf(entry, "StatusMessage", replica.statusMessage);
      }
    }
    return document;
  }

  private static ObjectNode version(ArrayNode versions, SecretVersion version) {
    ObjectNode entry = versions.addObject().put("VersionId", version.versionId);
    ArrayNode stages = entry.putArray("VersionStages");
    version.stages.forEach(stages::add);
    Documents.putDate(entry, "CreatedDate", version.createdDate);
    Documents.putDate(entry, "LastAccessedDate", version.lastAccessedDate);
    return entry;
  }

  /** A version's value in the form export writes: SecretString (text) or SecretBinary, through {@code fields}. */
  static void putValue(ObjectNode version, byte[] plaintext, boolean binary, SecretFields fields) {
    if (binary) {
      version.put("SecretBinary", fields.write(plaintext));
    } else {
      version.put("SecretString", fields.writeText(new String(plaintext, StandardCharsets.UTF_8)));
    }
  }

  // ---- reading ----------------------------------------------------------------------------

  /** A secret as a document states it; a field left out is null (its default is the loader's choice). */
  static final class Parsed {
    String name;
    String arn;
    String description;
    String kmsKeyId;
    String type;
    Map<String, String> tags;
    Instant createdDate;
    Instant lastChangedDate;
    Instant lastAccessedDate;
    Instant deletedDate;
    Instant deletionDate;
    Boolean rotationEnabled;
    String rotationLambdaArn;
    Secret.RotationRules rotationRules;
    Instant lastRotatedDate;
    Instant nextRotationDate;
    PolicyDocument resourcePolicy;
    String primaryRegion;
    List<ReplicaSpec> replicas;
    List<VersionSpec> versions;
  }

  /**
   * A version as stated: its value in the clear, or sealed as the store keeps it, or neither; its
   * labels, and whether the document stated them (else they are the defaults, which a reload does
   * not compare: the app may have moved them since).
   */
  record VersionSpec(String versionId, List<String> stages, boolean stagesStated, Instant createdDate,
      Instant lastAccessedDate, SecretValue clear, SecretCipher.Sealed sealed) {}

  record ReplicaSpec(String region, String kmsKeyId, String status, String statusMessage) {}

  /**
   * Reads and checks a document (AWS's rules for names, tags, sizes, rotation rules and policies);
   * refuses unknown fields and malformed values with an IllegalArgumentException naming the field.
   */
  static Parsed parse(String account, String region, ObjectNode document, SecretFields fields) {
    Documents.onlyFields(document, FIELDS);
    Parsed parsed = new Parsed();
    parsed.name = Documents.required(document, "Name");
    try {
      SecretsBackend.checkName(parsed.name);
    } catch (AwsException e) {
      throw new IllegalArgumentException("Name: " + e.getMessage());
    }
    parsed.arn = Documents.text(document, "ARN", null);
    if (parsed.arn != null) {
      String prefix = arnPrefix(account, region, parsed.name);
      if (!parsed.arn.startsWith(prefix) || parsed.arn.length() != prefix.length() + 6) {
        throw new IllegalArgumentException("ARN " + parsed.arn + " is not this secret's: it must be " + prefix
            + "XXXXXX (its account, Region and Name, and a 6-character suffix)");
      }
    }
    parsed.description = Documents.text(document, "Description", null);
    parsed.kmsKeyId = Documents.text(document, "KmsKeyId", null);
    if (parsed.kmsKeyId != null && parsed.kmsKeyId.isEmpty()) {
      parsed.kmsKeyId = null;
    }
    parsed.type = Documents.text(document, "Type", null);
    parsed.tags = Documents.tags(document.get("Tags"));
    if (parsed.tags != null) {
      try {
        SecretsBackend.checkTags(parsed.tags);
      } catch (AwsException e) {
        throw new IllegalArgumentException("Tags: " + e.getMessage());
      }
    }
    parsed.createdDate = Documents.date(document, "CreatedDate");
    parsed.lastChangedDate = Documents.date(document, "LastChangedDate");
    parsed.lastAccessedDate = Documents.date(document, "LastAccessedDate");
    parsed.deletedDate = Documents.date(document, "DeletedDate");
    parsed.deletionDate = Documents.date(document, "DeletionDate");
    if (parsed.deletionDate != null && parsed.deletedDate == null) {
      throw new IllegalArgumentException("DeletionDate needs DeletedDate (when DeleteSecret was called)");
    }
    parsed.rotationEnabled = bool(document, "RotationEnabled");
    parsed.rotationLambdaArn = Documents.text(document, "RotationLambdaARN", null);
    if (Boolean.TRUE.equals(parsed.rotationEnabled) && parsed.rotationLambdaArn == null) {
      throw new IllegalArgumentException("RotationEnabled needs RotationLambdaARN (the rotator to run)");
    }
    parsed.rotationRules = rules(document.get("RotationRules"));
    parsed.lastRotatedDate = Documents.date(document, "LastRotatedDate");
    parsed.nextRotationDate = Documents.date(document, "NextRotationDate");
    parsed.resourcePolicy = policy(document.get("ResourcePolicy"));
    parsed.primaryRegion = Documents.text(document, "PrimaryRegion", null);
    parsed.replicas = replicas(document.get("ReplicationStatus"), region);
    if (!parsed.replicas.isEmpty() && parsed.primaryRegion != null && !parsed.primaryRegion.equals(region)) {
      throw new IllegalArgumentException("ReplicationStatus is a primary's: this is a replica of "
          + parsed.primaryRegion);
    }
    parsed.versions = versions(account, parsed.name, document, fields);
    return parsed;
  }

  private static Secret.RotationRules rules(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    ObjectNode rules = object(node, "RotationRules");
    within("RotationRules", () -> Documents.onlyFields(rules, RULES_FIELDS));
    JsonNode days = rules.get("AutomaticallyAfterDays");
    if (days != null && !days.isNull() && !days.canConvertToLong()) {
      throw new IllegalArgumentException("RotationRules.AutomaticallyAfterDays must be a whole number of days");
    }
    Secret.RotationRules parsed = new Secret.RotationRules(days == null || days.isNull() ? null : days.asLong(),
        Documents.text(rules, "Duration", null), Documents.text(rules, "ScheduleExpression", null));
    try {
      RotationSchedule.check(parsed);
    } catch (AwsException e) {
      throw new IllegalArgumentException("RotationRules: " + e.getMessage());
    }
    return parsed;
  }

  private static PolicyDocument policy(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    String text = node.isObject() ? Json.text(node) : node.isTextual() ? node.asText() : null;
    if (text == null) {
      throw new IllegalArgumentException("ResourcePolicy must be the policy's JSON text (or a mapping)");
    }
    try {
      return PolicyDocument.parse(text);
    } catch (AwsException e) {
      throw new IllegalArgumentException("ResourcePolicy: " + e.getMessage());
    }
  }

  private static List<ReplicaSpec> replicas(JsonNode node, String region) {
    List<ReplicaSpec> replicas = new ArrayList<>();
    if (node == null || node.isNull()) {
      return replicas;
    }
    if (!node.isArray()) {
      throw new IllegalArgumentException(
          "ReplicationStatus must be a list of {Region, KmsKeyId, Status, StatusMessage}");
    }
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String at = "ReplicationStatus[" + i + "]";
      ObjectNode entry = object(node.get(i), at);
      within(at, () -> Documents.onlyFields(entry, REPLICA_FIELDS));
      String replicaRegion = within(at, () -> Documents.required(entry, "Region"));
      if (replicaRegion.equals(region) || !seen.add(replicaRegion)) {
        throw new IllegalArgumentException(at + ": Region " + replicaRegion
            + (replicaRegion.equals(region) ? " is the secret's own" : " is given twice"));
      }
      String status = Documents.text(entry, "Status", "InSync");
      if (!REPLICA_STATUSES.contains(status)) {
        throw new IllegalArgumentException(at + ": Status must be one of " + REPLICA_STATUSES + ", not " + status);
      }
      replicas.add(new ReplicaSpec(replicaRegion, Documents.text(entry, "KmsKeyId", null), status,
          Documents.text(entry, "StatusMessage", null)));
    }
    return replicas;
  }

  private static List<VersionSpec> versions(String account, String name, ObjectNode document, SecretFields fields) {
    JsonNode list = document.get("Versions");
    boolean single = document.hasNonNull("SecretString") || document.hasNonNull("SecretBinary");
    if (single && list != null && !list.isNull()) {
      throw new IllegalArgumentException(
          "give either Versions or a SecretString/SecretBinary of one version, not both");
    }
    List<VersionSpec> versions = new ArrayList<>();
    if (single) {
      versions.add(new VersionSpec(seededVersionId(account, name, 0), List.of(SecretsBackend.CURRENT), false, null,
          null, clearValue(document, fields), null));
      return versions;
    }
    if (list == null || list.isNull()) {
      return versions;
    }
    if (!list.isArray()) {
      throw new IllegalArgumentException("Versions must be a list");
    }
    Map<String, String> stageHolders = new TreeMap<>();
    Set<String> ids = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "Versions[" + i + "]";
      ObjectNode entry = object(list.get(i), at);
      within(at, () -> Documents.onlyFields(entry, VERSION_FIELDS));
      String versionId = Documents.text(entry, "VersionId", null);
      if (versionId == null) {
        versionId = seededVersionId(account, name, i);
      }
      if (versionId.isEmpty() || versionId.length() > 64 || !ids.add(versionId)) {
        throw new IllegalArgumentException(at + ": VersionId " + versionId
            + (versionId.isEmpty() || versionId.length() > 64 ? " must be 1 to 64 characters" : " is given twice"));
      }
      List<String> stages = new ArrayList<>();
      JsonNode stageList = entry.get("VersionStages");
      boolean stagesStated = stageList != null && !stageList.isNull();
      if (stagesStated) {
        if (!stageList.isArray()) {
          throw new IllegalArgumentException(at + ".VersionStages must be a list");
        }
        for (JsonNode stage : stageList) {
          String label = stage.asText();
          if (!stage.isValueNode() || label.isEmpty() || label.length() > 256) {
            throw new IllegalArgumentException(at + ".VersionStages: a staging label is 1 to 256 characters");
          }
          String holder = stageHolders.put(label, versionId);
          if (holder != null && !holder.equals(versionId)) {
            throw new IllegalArgumentException(at + ".VersionStages: " + label + " is on version " + holder
                + " already (a staging label is on one version at most)");
          }
          if (!stages.contains(label)) {
            stages.add(label);
          }
        }
        if (stages.size() > SecretsBackend.MAX_STAGES_PER_VERSION) {
          throw new IllegalArgumentException(at + ".VersionStages: a version has at most "
              + SecretsBackend.MAX_STAGES_PER_VERSION + " staging labels");
        }
      }
      SecretValue clear = within(at, () -> clearValue(entry, fields));
      SecretCipher.Sealed sealed = within(at, () -> sealedValue(entry.get("SealedValue")));
      if (clear != null && sealed != null) {
        throw new IllegalArgumentException(at + ": give SealedValue or the value in the clear, not both");
      }
      versions.add(new VersionSpec(versionId, stages, stagesStated, within(at, () -> Documents.date(entry, "CreatedDate")),
          within(at, () -> Documents.date(entry, "LastAccessedDate")), clear, sealed));
    }
    if (!stageHolders.containsKey(SecretsBackend.CURRENT)) {
      // As PutSecretValue does with a secret's first value: the newest version with a value is AWSCURRENT.
      for (int i = versions.size() - 1; i >= 0; i--) {
        VersionSpec version = versions.get(i);
        if (version.clear() != null || version.sealed() != null) {
          List<String> stages = new ArrayList<>(version.stages());
          stages.add(SecretsBackend.CURRENT);
          versions.set(i, new VersionSpec(version.versionId(), stages, version.stagesStated(), version.createdDate(),
              version.lastAccessedDate(), version.clear(), version.sealed()));
          break;
        }
      }
    }
    return versions;
  }

  /** SecretString or SecretBinary of {@code node}, in the clear or sealed under the root key; null when neither. */
  private static SecretValue clearValue(ObjectNode node, SecretFields fields) {
    JsonNode string = node.get("SecretString");
    JsonNode binary = node.get("SecretBinary");
    boolean hasString = string != null && !string.isNull();
    boolean hasBinary = binary != null && !binary.isNull();
    if (hasString && hasBinary) {
      throw new IllegalArgumentException("give SecretString or SecretBinary, not both");
    }
    SecretValue value = null;
    if (hasString) {
      // A mapping or list is a JSON secret written as YAML: its compact JSON text is the value.
      String text = string.isContainerNode() ? Json.text(string) : fields.readText(string.asText(), "SecretString");
      value = new SecretValue(text.getBytes(StandardCharsets.UTF_8), false);
    } else if (hasBinary) {
      if (!binary.isTextual()) {
        throw new IllegalArgumentException("SecretBinary must be base64 text");
      }
      value = new SecretValue(fields.read(binary.asText(), "SecretBinary"), true);
    }
    if (value != null && value.bytes().length > SecretsBackend.MAX_VALUE_BYTES) {
      throw new IllegalArgumentException((hasString ? "SecretString" : "SecretBinary") + " is "
          + value.bytes().length + " bytes, more than the " + SecretsBackend.MAX_VALUE_BYTES
          + " a secret value may be");
    }
    return value;
  }

  private static SecretCipher.Sealed sealedValue(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    ObjectNode sealed = object(node, "SealedValue");
    within("SealedValue", () -> Documents.onlyFields(sealed, SEALED_FIELDS));
    String keyArn = within("SealedValue", () -> Documents.required(sealed, "KmsKeyArn"));
    byte[] wrapped = within("SealedValue", () -> decode(Documents.required(sealed, "EncryptedDataKey"),
        "EncryptedDataKey"));
    byte[] ciphertext = within("SealedValue", () -> decode(Documents.required(sealed, "Ciphertext"), "Ciphertext"));
    Boolean binary = within("SealedValue", () -> bool(sealed, "Binary"));
    return new SecretCipher.Sealed(keyArn, wrapped, ciphertext, Boolean.TRUE.equals(binary));
  }

  // ---- comparing --------------------------------------------------------------------------

  /**
   * What {@code parsed} states, in one form for {@link Documents#contradiction}: tags, labels and
   * replicas sorted, the policy as compact JSON, versions by id, and each value as {@code digest}
   * gives it (never the value itself), under SecretString or SecretBinary as it is one or the other.
   * {@code complete} (an existing secret's) also gives what an absent field means (no tags, no
   * replication, rotation off), so that a seed stating it agrees. Labels count only where the seed
   * states them: a seed's {@code SecretString} makes a version AWSCURRENT, but once the app has
   * put a newer one, the seed still describes the state (its version is there, with its value).
   */
  static ObjectNode comparable(Parsed parsed, String region, boolean complete, Function<VersionSpec, Digest> digest) {
    ObjectNode out = Json.object().put("Name", parsed.name);
    putIf(out, "ARN", parsed.arn);
    putIf(out, "Description", parsed.description);
    putIf(out, "KmsKeyId", parsed.kmsKeyId);
    putIf(out, "Type", parsed.type);
    Map<String, String> tags = parsed.tags == null && complete ? Map.of() : parsed.tags;
    if (tags != null) {
      ArrayNode sorted = out.putArray("Tags");
      new TreeMap<>(tags).forEach((key, value) -> sorted.addObject().put("Key", key).put("Value", value));
    }
    Documents.putDate(out, "CreatedDate", parsed.createdDate);
    Documents.putDate(out, "LastChangedDate", parsed.lastChangedDate);
    Documents.putDate(out, "LastAccessedDate", parsed.lastAccessedDate);
    Documents.putDate(out, "DeletedDate", parsed.deletedDate);
    Documents.putDate(out, "DeletionDate", parsed.deletionDate);
    Boolean enabled = parsed.rotationEnabled == null && complete ? Boolean.FALSE : parsed.rotationEnabled;
    if (enabled != null) {
      out.put("RotationEnabled", enabled);
    }
    putIf(out, "RotationLambdaARN", parsed.rotationLambdaArn);
    if (parsed.rotationRules != null) {
      ObjectNode rules = out.putObject("RotationRules");
      if (parsed.rotationRules.automaticallyAfterDays() != null) {
        rules.put("AutomaticallyAfterDays", parsed.rotationRules.automaticallyAfterDays());
      }
      putIf(rules, "Duration", parsed.rotationRules.duration());
      putIf(rules, "ScheduleExpression", parsed.rotationRules.scheduleExpression());
    }
    Documents.putDate(out, "LastRotatedDate", parsed.lastRotatedDate);
    Documents.putDate(out, "NextRotationDate", parsed.nextRotationDate);
    if (parsed.resourcePolicy != null) {
      try {
        out.put("ResourcePolicy", Json.text(Json.readTree(parsed.resourcePolicy.text())));
      } catch (IOException e) {
        out.put("ResourcePolicy", parsed.resourcePolicy.text());
      }
    }
    String primary = parsed.primaryRegion == null && complete ? region : parsed.primaryRegion;
    putIf(out, "PrimaryRegion", primary);
    if (complete || !parsed.replicas.isEmpty()) {
      ArrayNode status = out.putArray("ReplicationStatus");
      parsed.replicas.stream().sorted(Comparator.comparing(ReplicaSpec::region)).forEach(replica -> {
        ObjectNode entry = status.addObject().put("Region", replica.region());
        putIf(entry, "KmsKeyId", replica.kmsKeyId());
        putIf(entry, "Status", replica.status());
        putIf(entry, "StatusMessage", replica.statusMessage());
      });
    }
    if (complete || !parsed.versions.isEmpty()) {
      ObjectNode versions = out.putObject("Versions");
      for (VersionSpec version : parsed.versions) {
        ObjectNode entry = versions.putObject(version.versionId());
        if (complete || version.stagesStated()) {
          ArrayNode stages = entry.putArray("VersionStages");
          version.stages().stream().sorted().forEach(stages::add);
        }
        Documents.putDate(entry, "CreatedDate", version.createdDate());
        Documents.putDate(entry, "LastAccessedDate", version.lastAccessedDate());
        if (version.clear() != null || version.sealed() != null) {
          Digest value = digest.apply(version);
          entry.put(value.binary() ? "SecretBinary" : "SecretString", base64(value.digest()));
        }
      }
    }
    return out;
  }

  /** A value as compared: its keyed digest, and whether it is binary. */
  record Digest(byte[] digest, boolean binary) {}

  // ---- defaults ---------------------------------------------------------------------------

  static String arnPrefix(String account, String region, String name) {
    return "arn:" + dev.shunt.backend.auth.Identity.partitionOf(region) + ":secretsmanager:" + region + ":" + account
        + ":secret:" + name + "-";
  }

  /**
   * The ARN of a seeded secret that states none: its 6-character suffix derived from account and
   * name, so every machine (and a replica in every Region) gives the same.
   */
  static String seededArn(String account, String region, String name) {
    byte[] hash = sha256("shunt secret arn\n" + account + "\n" + name);
    char[] suffix = new char[6];
    for (int i = 0; i < suffix.length; i++) {
      suffix[i] = SUFFIX_CHARACTERS.charAt((hash[i] & 0xff) % SUFFIX_CHARACTERS.length());
    }
    return arnPrefix(account, region, name) + new String(suffix);
  }

  /**
   * The VersionId of a seeded version that states none: a name-based UUID of account, secret name
   * and the version's position, the same on every machine and in every Region it is replicated to.
   */
  static String seededVersionId(String account, String name, int position) {
    return UUID.nameUUIDFromBytes(("shunt secret version\n" + account + "\n" + name + "\n" + position)
        .getBytes(StandardCharsets.UTF_8)).toString();
  }

  static Duration defaultRecoveryWindow() {
    return DEFAULT_RECOVERY_WINDOW;
  }

  // ---- small parts ------------------------------------------------------------------------

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode object(JsonNode node, String field) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(field + " must be a mapping");
    }
    return (ObjectNode) node;
  }

  /** Runs a read of a nested part, naming the part in its refusal. */
  private static <T> T within(String at, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      throw new IllegalArgumentException(message.startsWith(at) ? message : at + ": " + message, e);
    }
  }

  private static void within(String at, Runnable read) {
    within(at, () -> {
      read.run();
      return null;
    });
  }

  private static Boolean bool(ObjectNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isTextual() && (value.asText().equals("true") || value.asText().equals("false"))) {
      return Boolean.valueOf(value.asText());
    }
    throw new IllegalArgumentException(field + " must be true or false");
  }

  private static byte[] decode(String base64, String field) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + " is not base64");
    }
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static void putIf(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }

}
