package dev.shunt.backend.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.kms.crypto.PrivateMaterial;
import dev.shunt.backend.store.Documents;
import dev.shunt.backend.store.SecretFields;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * KMS items as documents (store, seed files, export), in KeyMetadata's own field names where it
 * has them: keys with their material versions, aliases, grants and custom key stores.
 */
final class KmsDocuments {
  static final Set<String> KEY_FIELDS = Set.of("KeyId", "Description", "KeySpec", "KeyUsage", "Origin",
      "CreationDate", "KeyState", "DeletionDate", "PendingDeletionWindowInDays", "KeyRotationEnabled",
      "RotationPeriodInDays", "NextRotationDate", "OnDemandRotations", "Policy", "Tags", "AwsManagedFor",
      "MultiRegion", "KeyMaterials", "ImportedKeyMaterials", "Material", "PrivateKeyPem", "Aliases");
  private static final Set<String> MATERIAL_FIELDS = Set.of("KeyMaterialId", "CreationDate", "RotationType",
      "Material");
  private static final Set<String> IMPORTED_FIELDS = Set.of("KeyMaterialId", "CreationDate", "RotationType",
      "Material", "Current", "Pending", "ExpirationModel", "ValidTo", "Description");

  private KmsDocuments() {}

  // ---- keys -------------------------------------------------------------------------------

  /** The key's whole state; its material through {@code secrets}. Called holding the key's monitor. */
  static ObjectNode key(KmsKey key, SecretFields secrets) {
    ObjectNode doc = Json.object().put("KeyId", key.keyId).put("Description", key.description())
        .put("KeySpec", key.keySpec).put("KeyUsage", key.keyUsage).put("Origin", key.origin);
    Documents.putDate(doc, "CreationDate", key.creationDate);
    doc.put("KeyState", key.state().name());
    Documents.putDate(doc, "DeletionDate", key.deletionDate());
    if (key.pendingWindowInDays() != null) {
      doc.put("PendingDeletionWindowInDays", key.pendingWindowInDays());
    }
    doc.put("KeyRotationEnabled", key.rotationEnabled()).put("RotationPeriodInDays", key.rotationPeriodInDays());
    Documents.putDate(doc, "NextRotationDate", key.nextRotationDate());
    doc.put("OnDemandRotations", key.onDemandRotations());
    if (key.policy() != null) {
      doc.put("Policy", key.policy().text());
    }
    ArrayNode tags = doc.putArray("Tags");
    key.tags().forEach((k, v) -> tags.addObject().put("TagKey", k).put("TagValue", v));
    if (key.managedFor != null) {
      doc.put("AwsManagedFor", key.managedFor);
    }
    if (key.multiRegion != null) {
      doc.putObject("MultiRegion").put("PrimaryRegion", key.multiRegion.primaryRegion());
    }
    if (key.imported != null) {
      ArrayNode imported = doc.putArray("ImportedKeyMaterials");
      for (KeyImport.Entry entry : key.imported.storedEntries()) {
        ObjectNode out = imported.addObject().put("KeyMaterialId", entry.idHex);
        Documents.putDate(out, "CreationDate", entry.associatedAt);
        out.put("RotationType", entry.rotationType).put("Current", entry.current)
            .put("Pending", key.imported.isPending(entry));
        if (entry.isImported()) {
          out.put("Material", secrets.write(encoded(entry.secret, entry.privateMaterial)));
        }
        out.put("ExpirationModel", entry.expirationModel).put("Description", entry.description);
        Documents.putDate(out, "ValidTo", entry.validTo);
      }
    } else {
      ArrayNode materials = doc.putArray("KeyMaterials");
      for (KeyMaterial material : key.materials()) {
        ObjectNode out = materials.addObject().put("KeyMaterialId", material.idHex());
        Documents.putDate(out, "CreationDate", material.createdAt());
        out.put("RotationType", material.rotationType())
            .put("Material", secrets.write(encoded(material.secretKey(), material.privateMaterial())));
      }
    }
    return doc;
  }

  private static byte[] encoded(SecretKeySpec secret, PrivateMaterial privateMaterial) {
    return secret != null ? secret.getEncoded() : privateMaterial.encoded();
  }

  /**
   * Turns what a person writes into what the store writes: {@code Material} (one version) or
   * {@code PrivateKeyPem} into {@code KeyMaterials}, sealed material opened, tags as a list.
   */
  static void normalizeKey(ObjectNode doc, SecretFields secrets) {
    Documents.onlyFields(doc, KEY_FIELDS);
    String keyId = Documents.required(doc, "KeyId");
    KeySpec spec = KeySpec.named(Documents.text(doc, "KeySpec", KeySpec.SYMMETRIC_DEFAULT.name()));
    String single = Documents.text(doc, "Material", null);
    String pem = Documents.text(doc, "PrivateKeyPem", null);
    if (single != null || pem != null) {
      if (doc.has("KeyMaterials") || single != null && pem != null) {
        throw new IllegalArgumentException("give one of Material, PrivateKeyPem and KeyMaterials");
      }
      byte[] material = single != null ? secrets.read(single, "Material") : pemToDer(pem);
      doc.remove("Material");
      doc.remove("PrivateKeyPem");
      doc.putArray("KeyMaterials").addObject().put("Material", Base64.getEncoder().encodeToString(material));
    }
    for (String list : List.of("KeyMaterials", "ImportedKeyMaterials")) {
      JsonNode versions = doc.get(list);
      if (versions == null) {
        continue;
      }
      if (!versions.isArray()) {
        throw new IllegalArgumentException(list + " must be a list");
      }
      for (JsonNode version : versions) {
        if (!version.isObject()) {
          throw new IllegalArgumentException(list + " holds mappings");
        }
        ObjectNode entry = (ObjectNode) version;
        Documents.onlyFields(entry, list.equals("KeyMaterials") ? MATERIAL_FIELDS : IMPORTED_FIELDS);
        String text = Documents.text(entry, "Material", null);
        if (text != null) {
          byte[] bytes = secrets.read(text, list + ".Material");
          if (spec != null && !spec.symmetric()) {
            // A PEM's DER as this Shunt encodes it, so that the same key compares equal and gets the same id.
            bytes = decode(spec, bytes).encoded();
          }
          if (!entry.hasNonNull("KeyMaterialId")) {
            entry.put("KeyMaterialId", KeyImport.materialId(keyId, bytes));
          }
          entry.put("Material", Base64.getEncoder().encodeToString(bytes));
        }
      }
    }
    JsonNode tags = doc.get("Tags");
    if (tags != null && tags.isObject()) {
      // A map is what people write; KMS's own shape is a list of TagKey and TagValue.
      ArrayNode list = Json.array();
      tags.fields().forEachRemaining(e -> list.addObject().put("TagKey", e.getKey()).put("TagValue", e.getValue().asText()));
      doc.set("Tags", list);
    }
    JsonNode policy = doc.get("Policy");
    if (policy != null && policy.isObject()) {
      doc.put("Policy", Json.text(policy));
    }
  }

  private static byte[] pemToDer(String pem) {
    String text = pem.trim();
    if (!text.startsWith("-----BEGIN PRIVATE KEY-----") || !text.endsWith("-----END PRIVATE KEY-----")) {
      throw new IllegalArgumentException("PrivateKeyPem must be a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----, as openssl"
          + " genpkey writes)");
    }
    String body = text.substring("-----BEGIN PRIVATE KEY-----".length(), text.length()
        - "-----END PRIVATE KEY-----".length()).replaceAll("\\s", "");
    try {
      return Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PrivateKeyPem is not base64 between its lines");
    }
  }

  /** A key from a normalized document, not yet in any Region. */
  static KmsKey newKey(String account, String region, ObjectNode doc, MultiRegionKeys.Related related,
      Instant now) {
    String keyId = doc.get("KeyId").asText();
    KeySpec spec;
    try {
      spec = KeySpec.named(Documents.text(doc, "KeySpec", KeySpec.SYMMETRIC_DEFAULT.name()));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("KeySpec " + Documents.text(doc, "KeySpec", "") + " is not a KMS key spec");
    }
    if (spec == null) {
      throw new IllegalArgumentException("KeySpec " + Documents.text(doc, "KeySpec", "") + " is not a KMS key spec");
    }
    String usage = Documents.text(doc, "KeyUsage", spec.usages().iterator().next());
    if (!spec.allows(usage)) {
      throw new IllegalArgumentException("KeyUsage " + usage + " is not valid with KeySpec " + spec.name());
    }
    String origin = Documents.text(doc, "Origin", KmsKey.AWS_KMS);
    if (!origin.equals(KmsKey.AWS_KMS) && !origin.equals(KmsKey.EXTERNAL)) {
      throw new IllegalArgumentException("Origin must be AWS_KMS or EXTERNAL (keys in custom key stores are not kept)");
    }
    String managedFor = Documents.text(doc, "AwsManagedFor", null);
    String policyText = Documents.text(doc, "Policy", null);
    dev.shunt.backend.auth.PolicyDocument policy;
    try {
      policy = managedFor != null && policyText == null ? null : policyText == null
          ? KeyPolicy.defaultFor(dev.shunt.backend.auth.Identity.partitionOf(region), account)
          : dev.shunt.backend.auth.PolicyDocument.parse(policyText);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Policy is not a valid key policy: " + e.getMessage());
    }
    Instant created = date(doc, "CreationDate", now);
    KeyMaterial[] materials;
    if (origin.equals(KmsKey.EXTERNAL)) {
      materials = new KeyMaterial[0];
    } else if (doc.has("KeyMaterials")) {
      List<KeyMaterial> versions = new ArrayList<>();
      for (JsonNode version : doc.get("KeyMaterials")) {
        versions.add(material(spec, (ObjectNode) version, created));
      }
      if (versions.isEmpty()) {
        throw new IllegalArgumentException("KeyMaterials is empty: a key has at least one version");
      }
      materials = versions.toArray(new KeyMaterial[0]);
    } else {
      materials = new KeyMaterial[] {KeyMaterial.generate(spec, created)};
    }
    KmsKey key = new KmsKey(account, region, keyId, created, Documents.text(doc, "Description", ""), managedFor, policy,
        spec, usage, origin, related, materials);
    if (key.imported != null) {
      List<KeyImport.Entry> entries = new ArrayList<>();
      KeyImport.Entry pending = null;
      for (JsonNode version : doc.path("ImportedKeyMaterials")) {
        KeyImport.Entry entry = importedEntry(spec, (ObjectNode) version, created);
        if (version.path("Pending").asBoolean(false)) {
          pending = entry;
        } else {
          entries.add(entry);
        }
      }
      key.imported.restore(key, entries, pending);
    }
    boolean managed = managedFor != null;
    KeyState state = key.state();
    String stateText = Documents.text(doc, "KeyState", null);
    if (stateText != null) {
      try {
        state = KeyState.valueOf(stateText);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("KeyState " + stateText + " is not a KMS key state");
      }
    }
    boolean rotation = doc.path("KeyRotationEnabled").asBoolean(managed);
    int period = doc.path("RotationPeriodInDays").asInt(KmsKey.DEFAULT_ROTATION_DAYS);
    if (period < 90 || period > 2560) {
      throw new IllegalArgumentException("RotationPeriodInDays must be 90 to 2560");
    }
    Instant next = date(doc, "NextRotationDate", rotation ? created.plus(java.time.Duration.ofDays(period)) : null);
    Map<String, String> tags = new LinkedHashMap<>();
    for (JsonNode tag : doc.path("Tags")) {
      tags.put(Documents.required((ObjectNode) tag, "TagKey"), Documents.text((ObjectNode) tag, "TagValue", ""));
    }
    if (tags.size() > KmsBackend.MAX_TAGS_PER_KEY) {
      throw new IllegalArgumentException("more than " + KmsBackend.MAX_TAGS_PER_KEY + " tags");
    }
    JsonNode window = doc.get("PendingDeletionWindowInDays");
    key.restore(state, date(doc, "DeletionDate", null), window == null || window.isNull() ? null : window.asInt(),
        rotation, period, next, doc.path("OnDemandRotations").asInt(0), tags);
    return key;
  }

  private static KeyMaterial material(KeySpec spec, ObjectNode version, Instant created) {
    byte[] bytes = materialBytes(version);
    if (bytes == null) {
      throw new IllegalArgumentException("KeyMaterials entries need Material");
    }
    String id = Documents.required(version, "KeyMaterialId");
    byte[] idBytes = hex(id);
    Instant at = date(version, "CreationDate", created);
    String rotationType = Documents.text(version, "RotationType", null);
    if (spec.symmetric()) {
      if (bytes.length != 32) {
        throw new IllegalArgumentException("the Material of a SYMMETRIC_DEFAULT key is 32 bytes, not " + bytes.length);
      }
      return new KeyMaterial(idBytes, new SecretKeySpec(bytes, "AES"), null, at, rotationType);
    }
    return new KeyMaterial(idBytes, null, decode(spec, bytes), at, rotationType);
  }

  private static KeyImport.Entry importedEntry(KeySpec spec, ObjectNode version, Instant created) {
    KeyImport.Entry entry = new KeyImport.Entry(Documents.required(version, "KeyMaterialId"),
        date(version, "CreationDate", created));
    hex(entry.idHex);
    byte[] bytes = materialBytes(version);
    if (bytes != null) {
      if (spec.symmetric()) {
        entry.secret = new SecretKeySpec(bytes, "AES");
      } else {
        entry.privateMaterial = decode(spec, bytes);
      }
    }
    entry.rotationType = Documents.text(version, "RotationType", null);
    entry.current = version.path("Current").asBoolean(false);
    entry.expirationModel = Documents.text(version, "ExpirationModel", null);
    entry.description = Documents.text(version, "Description", null);
    entry.validTo = date(version, "ValidTo", null);
    return entry;
  }

  private static byte[] materialBytes(ObjectNode version) {
    String text = Documents.text(version, "Material", null);
    return text == null ? null : Base64.getDecoder().decode(text);
  }

  private static PrivateMaterial decode(KeySpec spec, byte[] bytes) {
    try {
      return spec.family().decode(spec.name(), bytes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the Material is not a " + spec.name() + " key: " + e.getMessage());
    }
  }

  private static byte[] hex(String id) {
    try {
      byte[] bytes = HexFormat.of().parseHex(id);
      if (bytes.length == 32) {
        return bytes;
      }
    } catch (IllegalArgumentException e) {
      // refused below
    }
    throw new IllegalArgumentException("KeyMaterialId must be 64 hex digits");
  }

  // ---- aliases, grants, custom key stores ---------------------------------------------------

  static ObjectNode alias(KmsAlias alias) {
    ObjectNode doc = Json.object().put("AliasName", alias.name()).put("TargetKeyId", alias.targetKeyId());
    Documents.putDate(doc, "CreationDate", alias.createdAt());
    Documents.putDate(doc, "LastUpdatedDate", alias.updatedAt());
    return doc;
  }

  static ObjectNode grant(Grant grant) {
    ObjectNode doc = Json.object().put("GrantId", grant.grantId()).put("KeyId", grant.keyId())
        .put("Name", grant.name());
    Documents.putDate(doc, "CreationDate", grant.creationDate());
    doc.put("GranteePrincipal", grant.granteePrincipal()).put("RetiringPrincipal", grant.retiringPrincipal())
        .put("IssuingAccount", grant.issuingAccount());
    ArrayNode operations = doc.putArray("Operations");
    grant.operations().forEach(operations::add);
    if (grant.contextEquals() != null || grant.contextSubset() != null) {
      ObjectNode constraints = doc.putObject("Constraints");
      if (grant.contextEquals() != null) {
        ObjectNode equals = constraints.putObject("EncryptionContextEquals");
        grant.contextEquals().forEach(equals::put);
      }
      if (grant.contextSubset() != null) {
        ObjectNode subset = constraints.putObject("EncryptionContextSubset");
        grant.contextSubset().forEach(subset::put);
      }
    }
    return doc.put("Sequence", grant.sequence());
  }

  static ObjectNode customKeyStore(CustomKeyStore store, SecretFields secrets) {
    CustomKeyStore.View view = store.view();
    ObjectNode doc = Json.object().put("CustomKeyStoreId", view.id()).put("CustomKeyStoreName", view.name())
        .put("CustomKeyStoreType", view.type());
    Documents.putDate(doc, "CreationDate", view.creationDate());
    doc.put("ConnectionState", view.connectionState()).put("ConnectionErrorCode", view.connectionErrorCode());
    if (view.cloudHsm() != null) {
      doc.put("CloudHsmClusterId", view.cloudHsm().clusterId())
          .put("TrustAnchorCertificate", view.cloudHsm().trustAnchorCertificate())
          .put("KeyStorePassword", secrets.writeText(view.cloudHsm().keyStorePassword()));
    }
    if (view.xksProxy() != null) {
      CustomKeyStore.XksProxy xks = view.xksProxy();
      doc.putObject("XksProxyConfiguration").put("Connectivity", xks.connectivity())
          .put("UriEndpoint", xks.uriEndpoint()).put("UriPath", xks.uriPath())
          .put("VpcEndpointServiceName", xks.vpcEndpointServiceName())
          .put("VpcEndpointServiceOwner", xks.vpcEndpointServiceOwner()).put("AccessKeyId", xks.accessKeyId())
          .put("SecretAccessKey", secrets.writeText(xks.secretAccessKey()));
    }
    return doc;
  }

  static Map<String, String> stringMap(JsonNode node, String field) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException(field + " must be a mapping");
    }
    Map<String, String> map = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }

  // ---- dates --------------------------------------------------------------------------------

  /** A time the document gives, or {@code fallback} when it gives none. */
  static Instant date(ObjectNode doc, String field, Instant fallback) {
    Instant date = Documents.date(doc, field);
    return date == null ? fallback : date;
  }
}
