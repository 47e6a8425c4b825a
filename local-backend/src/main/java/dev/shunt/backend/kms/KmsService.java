package dev.shunt.backend.kms;

import static dev.shunt.backend.core.Inputs.blob;
import static dev.shunt.backend.core.Inputs.flag;
import static dev.shunt.backend.core.Inputs.integer;
import static dev.shunt.backend.core.Inputs.string;
import static dev.shunt.backend.core.Inputs.stringMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.AwsService;
import dev.shunt.backend.core.Inputs;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.OperationHandler;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.http.OutboundHosts;
import dev.shunt.backend.model.ServiceModel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * KMS on the wire ({@code TrentService.*}): each operation reads its validated JSON input, calls
 * {@link KmsBackend}, and writes KMS's output shape. Find an operation by its AWS name.
 */
public final class KmsService implements AwsService {
  // XksProxyUriEndpoint is checked by CustomKeyStores: Shunt also takes a loopback proxy's port there.
  private final ServiceModel model = ServiceModel.load("kms", java.util.Set.of("XksProxyUriEndpointType"));
  private final KmsBackend kms;
  private final Map<String, OperationHandler> operations = new LinkedHashMap<>();
  private final CustomKeyStores customKeyStores;
  private final KmsAliases aliases;

  /** KMS whose external key store proxies may only be on this machine. */
  public KmsService(KmsBackend kms) {
    this(kms, OutboundHosts.loopbackOnly());
  }

  /** @param outbound where external key store proxies may be called (loopback, and what the operator lists) */
  public KmsService(KmsBackend kms, OutboundHosts outbound) {
    this.kms = kms;
    this.aliases = new KmsAliases(kms);
    this.customKeyStores = new CustomKeyStores(kms, new XksProxyClient(outbound, Duration.ofSeconds(2)));
    new KmsMacOperations(kms).register(operations);
    operations.put("CreateKey", this::createKey);
    operations.put("DescribeKey", this::describeKey);
    operations.put("ListKeys", this::listKeys);
    operations.put("EnableKey", this::enableKey);
    operations.put("DisableKey", this::disableKey);
    operations.put("ScheduleKeyDeletion", this::scheduleKeyDeletion);
    operations.put("CancelKeyDeletion", this::cancelKeyDeletion);
    operations.put("UpdateKeyDescription", this::updateKeyDescription);
    operations.put("Encrypt", this::encrypt);
    operations.put("Decrypt", this::decrypt);
    operations.put("ReEncrypt", this::reEncrypt);
    operations.put("GenerateDataKey", this::generateDataKey);
    operations.put("GenerateDataKeyWithoutPlaintext", this::generateDataKeyWithoutPlaintext);
    operations.put("GenerateRandom", this::generateRandom);
    operations.put("CreateAlias", this::createAlias);
    operations.put("UpdateAlias", this::updateAlias);
    operations.put("DeleteAlias", this::deleteAlias);
    operations.put("ListAliases", this::listAliases);
    operations.put("EnableKeyRotation", this::enableKeyRotation);
    operations.put("DisableKeyRotation", this::disableKeyRotation);
    operations.put("GetKeyRotationStatus", this::getKeyRotationStatus);
    operations.put("RotateKeyOnDemand", this::rotateKeyOnDemand);
    operations.put("ListKeyRotations", this::listKeyRotations);
    operations.put("TagResource", this::tagResource);
    operations.put("UntagResource", this::untagResource);
    operations.put("ListResourceTags", this::listResourceTags);
    operations.put("GetKeyPolicy", this::getKeyPolicy);
    operations.put("PutKeyPolicy", this::putKeyPolicy);
    operations.put("ListKeyPolicies", this::listKeyPolicies);
    KmsImportAndReplicaOperations.register(kms, operations);
    new KmsStoreAndGrantOperations(kms, customKeyStores).register(operations);
    new KmsAsymmetricOperations(kms).registerInto(operations);
    // A grant token must be one KMS issued, whichever operation presents it (InvalidGrantTokenException).
    for (String name : GRANT_TOKEN_OPERATIONS) {
      OperationHandler handler = operations.get(name);
      operations.put(name, (ctx, in) -> {
        JsonNode tokens = in.get("GrantTokens");
        if (tokens != null && tokens.isArray() && !tokens.isEmpty()) {
          Grants.checkTokens(Inputs.strings(in, "GrantTokens"));
        }
        return handler.handle(ctx, in);
      });
    }
  }

  /** The operations whose input has GrantTokens (CreateGrant checks its own). */
  private static final List<String> GRANT_TOKEN_OPERATIONS = List.of("Decrypt", "DeriveSharedSecret", "DescribeKey",
      "Encrypt", "GenerateDataKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
      "GenerateDataKeyWithoutPlaintext", "GenerateMac", "GetPublicKey", "ReEncrypt", "Sign", "Verify", "VerifyMac");

  @Override
  public ServiceModel model() {
    return model;
  }

  @Override
  public Map<String, OperationHandler> operations() {
    return operations;
  }

  private static final AwsException THROTTLED = new AwsException("ThrottlingException",
      "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.");

  @Override
  public AwsException throttlingError() {
    return THROTTLED;
  }

  @Override
  public void reset() {
    kms.reset();
  }

  // ---- keys -------------------------------------------------------------------------------

  private ObjectNode createKey(RequestContext ctx, ObjectNode in) {
    kms.authorizeWithoutKey(ctx, "CreateKey");
    String keySpec = string(in, "KeySpec");
    String legacySpec = string(in, "CustomerMasterKeySpec");
    if (keySpec != null && legacySpec != null) {
      throw KmsErrors.validation("You cannot specify both KeySpec and CustomerMasterKeySpec. Use KeySpec.");
    }
    KeySpec spec = KeySpec.named(keySpec != null ? keySpec : legacySpec != null ? legacySpec
        : KmsKey.SYMMETRIC_DEFAULT);
    String givenUsage = string(in, "KeyUsage");
    // AWS's default usage is ENCRYPT_DECRYPT, which an HMAC or ECC key cannot have: for those it must be given.
    String usage = givenUsage != null ? givenUsage : KmsKey.ENCRYPT_DECRYPT;
    if (!spec.allows(usage)) {
      throw KmsErrors.validation("KeyUsage " + usage + " is not compatible with KeySpec " + spec.name()
          + (givenUsage == null ? "; specify a KeyUsage of " + String.join(" or ", spec.usages()) : ""));
    }
    if (!spec.offeredIn(ctx.region())) {
      throw KmsErrors.unsupported("KeySpec " + spec.name() + " is not supported in this Region (" + ctx.region()
          + "); SM2 keys are offered only in the China Regions");
    }
    String origin = string(in, "Origin");
    if (string(in, "CustomKeyStoreId") != null) {
      customKeyStores.refuseKeyCreation(ctx, string(in, "CustomKeyStoreId"), origin);
    }
    if (origin != null && !origin.equals(KmsKey.AWS_KMS) && !origin.equals(KmsKey.EXTERNAL)) {
      throw KmsErrors.unsupported("Origin " + origin + " is not supported by Shunt yet; only AWS_KMS and EXTERNAL");
    }
    if (string(in, "XksKeyId") != null) {
      throw KmsErrors.unsupported("External key stores are not supported by Shunt");
    }
    KmsKey key = kms.createKey(ctx, string(in, "Description"), string(in, "Policy"), tags(in), spec, usage,
        origin == null ? KmsKey.AWS_KMS : origin, flag(in, "MultiRegion"));
    return keyMetadata(key);
  }

  private ObjectNode describeKey(RequestContext ctx, ObjectNode in) {
    return keyMetadata(kms.describeKey(ctx, string(in, "KeyId")));
  }

  private ObjectNode listKeys(RequestContext ctx, ObjectNode in) {
    kms.authorizeWithoutKey(ctx, "ListKeys");
    KmsBackend.Page<KmsKey> page = kms.listKeys(ctx, limit(in, 100, 1000), string(in, "Marker"));
    ObjectNode out = Json.object();
    ArrayNode keys = out.putArray("Keys");
    for (KmsKey key : page.items()) {
      keys.addObject().put("KeyId", key.keyId).put("KeyArn", key.arn);
    }
    return paged(out, page);
  }

  private ObjectNode enableKey(RequestContext ctx, ObjectNode in) {
    kms.enableKey(ctx, string(in, "KeyId"));
    return null;
  }

  private ObjectNode disableKey(RequestContext ctx, ObjectNode in) {
    kms.disableKey(ctx, string(in, "KeyId"));
    return null;
  }

  private ObjectNode scheduleKeyDeletion(RequestContext ctx, ObjectNode in) {
    KmsKey key = kms.scheduleKeyDeletion(ctx, string(in, "KeyId"), integer(in, "PendingWindowInDays"));
    ObjectNode out = Json.object();
    out.put("KeyId", key.arn);
    Json.putDate(out, "DeletionDate", key.deletionDate());
    out.put("KeyState", key.state().name());
    out.put("PendingWindowInDays", key.pendingWindowInDays());
    return out;
  }

  private ObjectNode cancelKeyDeletion(RequestContext ctx, ObjectNode in) {
    return Json.object().put("KeyId", kms.cancelKeyDeletion(ctx, string(in, "KeyId")).arn);
  }

  private ObjectNode updateKeyDescription(RequestContext ctx, ObjectNode in) {
    kms.updateKeyDescription(ctx, string(in, "KeyId"), string(in, "Description"));
    return null;
  }

  // ---- cryptography -----------------------------------------------------------------------

  private ObjectNode encrypt(RequestContext ctx, ObjectNode in) {
    rejectRecipient(in);
    KmsBackend.Encrypted encrypted = kms.encrypt(ctx, string(in, "KeyId"), blob(in, "Plaintext"),
        stringMap(in, "EncryptionContext"), string(in, "EncryptionAlgorithm"), null);
    dryRun(in);
    ObjectNode out = Json.object();
    out.put("CiphertextBlob", encrypted.ciphertext());
    out.put("KeyId", encrypted.key().arn);
    out.put("EncryptionAlgorithm", encrypted.algorithm());
    return out;
  }

  private ObjectNode decrypt(RequestContext ctx, ObjectNode in) {
    rejectRecipient(in);
    byte[] ciphertext = blob(in, "CiphertextBlob");
    if (ciphertext == null) {
      throw KmsErrors.validation("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy "
          + "constraint: Member must not be null");
    }
    KmsBackend.Decrypted decrypted = kms.decrypt(ctx, ciphertext, string(in, "KeyId"),
        stringMap(in, "EncryptionContext"), string(in, "EncryptionAlgorithm"), null);
    dryRun(in);
    ObjectNode out = Json.object();
    out.put("KeyId", decrypted.key().arn);
    out.put("Plaintext", decrypted.plaintext());
    out.put("EncryptionAlgorithm", decrypted.algorithm());
    putIfPresent(out, "KeyMaterialId", decrypted.materialId());
    return out;
  }

  private ObjectNode reEncrypt(RequestContext ctx, ObjectNode in) {
    byte[] ciphertext = blob(in, "CiphertextBlob");
    if (ciphertext == null) {
      throw KmsErrors.validation("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy "
          + "constraint: Member must not be null");
    }
    KmsBackend.ReEncrypted result = kms.reEncrypt(ctx, ciphertext, string(in, "SourceKeyId"),
        stringMap(in, "SourceEncryptionContext"), string(in, "SourceEncryptionAlgorithm"),
        string(in, "DestinationKeyId"), stringMap(in, "DestinationEncryptionContext"),
        string(in, "DestinationEncryptionAlgorithm"));
    dryRun(in);
    ObjectNode out = Json.object();
    out.put("CiphertextBlob", result.ciphertext());
    out.put("SourceKeyId", result.source().key().arn);
    out.put("KeyId", result.destination().arn);
    out.put("SourceEncryptionAlgorithm", result.source().algorithm());
    out.put("DestinationEncryptionAlgorithm", result.destinationAlgorithm());
    putIfPresent(out, "SourceKeyMaterialId", result.source().materialId());
    if (result.destination().spec.symmetric()) {
      out.put("DestinationKeyMaterialId", result.destination().currentMaterial().idHex());
    }
    return out;
  }

  private ObjectNode generateDataKey(RequestContext ctx, ObjectNode in) {
    rejectRecipient(in);
    KmsBackend.DataKey dataKey = dataKey(ctx, in, "GenerateDataKey");
    dryRun(in);
    ObjectNode out = Json.object();
    out.put("CiphertextBlob", dataKey.ciphertext());
    out.put("Plaintext", dataKey.plaintext());
    out.put("KeyId", dataKey.key().arn);
    out.put("KeyMaterialId", dataKey.materialId());
    return out;
  }

  private ObjectNode generateDataKeyWithoutPlaintext(RequestContext ctx, ObjectNode in) {
    KmsBackend.DataKey dataKey = dataKey(ctx, in, "GenerateDataKeyWithoutPlaintext");
    dryRun(in);
    ObjectNode out = Json.object();
    out.put("CiphertextBlob", dataKey.ciphertext());
    out.put("KeyId", dataKey.key().arn);
    out.put("KeyMaterialId", dataKey.materialId());
    return out;
  }

  private KmsBackend.DataKey dataKey(RequestContext ctx, ObjectNode in, String action) {
    Integer numberOfBytes = integer(in, "NumberOfBytes");
    String keySpec = string(in, "KeySpec");
    if ((numberOfBytes == null) == (keySpec == null)) {
      throw KmsErrors.validation("Please specify either number of bytes or key spec.");
    }
    int bytes = numberOfBytes != null ? numberOfBytes : keySpec.equals("AES_128") ? 16 : 32;
    return kms.generateDataKey(ctx, string(in, "KeyId"), bytes, stringMap(in, "EncryptionContext"), null, action);
  }

  private ObjectNode generateRandom(RequestContext ctx, ObjectNode in) {
    kms.authorizeWithoutKey(ctx, "GenerateRandom");
    rejectRecipient(in);
    if (string(in, "CustomKeyStoreId") != null) {
      customKeyStores.refuseRandomSource(ctx, string(in, "CustomKeyStoreId"));
    }
    Integer bytes = integer(in, "NumberOfBytes");
    if (bytes == null) {
      throw KmsErrors.validation("1 validation error detected: Value null at 'numberOfBytes' failed to satisfy "
          + "constraint: Member must not be null");
    }
    ObjectNode out = Json.object();
    out.put("Plaintext", kms.generateRandom(bytes));
    return out;
  }

  // ---- aliases ----------------------------------------------------------------------------

  private ObjectNode createAlias(RequestContext ctx, ObjectNode in) {
    aliases.createAlias(ctx, string(in, "AliasName"), string(in, "TargetKeyId"));
    return null;
  }

  private ObjectNode updateAlias(RequestContext ctx, ObjectNode in) {
    aliases.updateAlias(ctx, string(in, "AliasName"), string(in, "TargetKeyId"));
    return null;
  }

  private ObjectNode deleteAlias(RequestContext ctx, ObjectNode in) {
    aliases.deleteAlias(ctx, string(in, "AliasName"));
    return null;
  }

  private ObjectNode listAliases(RequestContext ctx, ObjectNode in) {
    kms.authorizeWithoutKey(ctx, "ListAliases");
    KmsBackend.Page<KmsBackend.AliasView> page = aliases.listAliases(ctx, string(in, "KeyId"), limit(in, 50, 100),
        string(in, "Marker"));
    ObjectNode out = Json.object();
    ArrayNode aliases = out.putArray("Aliases");
    for (KmsBackend.AliasView alias : page.items()) {
      ObjectNode entry = aliases.addObject().put("AliasName", alias.name()).put("AliasArn", alias.arn());
      if (alias.targetKeyId() != null) {
        entry.put("TargetKeyId", alias.targetKeyId());
        Json.putDate(entry, "CreationDate", alias.createdAt());
        Json.putDate(entry, "LastUpdatedDate", alias.updatedAt());
      }
    }
    return paged(out, page);
  }

  // ---- rotation ---------------------------------------------------------------------------

  private ObjectNode enableKeyRotation(RequestContext ctx, ObjectNode in) {
    kms.enableKeyRotation(ctx, string(in, "KeyId"), integer(in, "RotationPeriodInDays"));
    return null;
  }

  private ObjectNode disableKeyRotation(RequestContext ctx, ObjectNode in) {
    kms.disableKeyRotation(ctx, string(in, "KeyId"));
    return null;
  }

  private ObjectNode getKeyRotationStatus(RequestContext ctx, ObjectNode in) {
    KmsKey key = kms.keyRotationStatus(ctx, string(in, "KeyId"));
    ObjectNode out = Json.object();
    boolean enabled = key.rotationEnabled();
    out.put("KeyRotationEnabled", enabled);
    out.put("KeyId", key.arn);
    if (enabled) {
      out.put("RotationPeriodInDays", key.rotationPeriodInDays());
      Json.putDate(out, "NextRotationDate", key.nextRotationDate());
    }
    return out;
  }

  private ObjectNode rotateKeyOnDemand(RequestContext ctx, ObjectNode in) {
    return Json.object().put("KeyId", kms.rotateKeyOnDemand(ctx, string(in, "KeyId")).arn);
  }

  private ObjectNode listKeyRotations(RequestContext ctx, ObjectNode in) {
    boolean all = "ALL_KEY_MATERIAL".equals(string(in, "IncludeKeyMaterial"));
    KmsBackend.Rotations rotations = kms.listKeyRotations(ctx, string(in, "KeyId"), all, limit(in, 100, 1000),
        string(in, "Marker"));
    KmsKey key = rotations.key();
    KmsBackend.Page<KeyMaterial> page = rotations.page();
    String current = key.hasMaterial() ? key.currentMaterial().idHex() : null;
    ObjectNode out = Json.object();
    ArrayNode entries = out.putArray("Rotations");
    for (KeyMaterial material : page.items()) {
      ObjectNode entry = entries.addObject().put("KeyId", key.keyId).put("KeyMaterialId", material.idHex())
          .put("KeyMaterialState", material.idHex().equals(current) ? "CURRENT" : "NON_CURRENT");
      if (material.rotationType() != null) {
        Json.putDate(entry, "RotationDate", material.createdAt());
        entry.put("RotationType", material.rotationType());
      }
      KmsImportAndReplicaOperations.describeRotation(key, material, entry);
    }
    return paged(out, page);
  }

  // ---- tags and policies ------------------------------------------------------------------

  private ObjectNode tagResource(RequestContext ctx, ObjectNode in) {
    kms.tagResource(ctx, string(in, "KeyId"), tags(in));
    return null;
  }

  private ObjectNode untagResource(RequestContext ctx, ObjectNode in) {
    kms.untagResource(ctx, string(in, "KeyId"), Inputs.strings(in, "TagKeys"));
    return null;
  }

  private ObjectNode listResourceTags(RequestContext ctx, ObjectNode in) {
    KmsBackend.Page<Map.Entry<String, String>> page = kms.listResourceTags(ctx, string(in, "KeyId"),
        limit(in, 50, 50), string(in, "Marker"));
    ObjectNode out = Json.object();
    ArrayNode tags = out.putArray("Tags");
    page.items().forEach(tag -> tags.addObject().put("TagKey", tag.getKey()).put("TagValue", tag.getValue()));
    return paged(out, page);
  }

  private ObjectNode getKeyPolicy(RequestContext ctx, ObjectNode in) {
    String policyName = string(in, "PolicyName");
    String policy = kms.keyPolicy(ctx, string(in, "KeyId"), policyName);
    return Json.object().put("Policy", policy).put("PolicyName", "default");
  }

  private ObjectNode putKeyPolicy(RequestContext ctx, ObjectNode in) {
    kms.putKeyPolicy(ctx, string(in, "KeyId"), string(in, "PolicyName"), string(in, "Policy"));
    return null;
  }

  private ObjectNode listKeyPolicies(RequestContext ctx, ObjectNode in) {
    kms.listKeyPolicies(ctx, string(in, "KeyId"));
    ObjectNode out = Json.object();
    out.putArray("PolicyNames").add("default");
    out.put("Truncated", false);
    return out;
  }

  // ---- shapes -----------------------------------------------------------------------------

  static ObjectNode keyMetadata(KmsKey key) {
    ObjectNode metadata = Json.object();
    metadata.put("AWSAccountId", key.accountId);
    metadata.put("KeyId", key.keyId);
    metadata.put("Arn", key.arn);
    Json.putDate(metadata, "CreationDate", key.creationDate);
    metadata.put("Enabled", key.state() == KeyState.Enabled);
    metadata.put("Description", key.description());
    metadata.put("KeyUsage", key.keyUsage);
    metadata.put("KeyState", key.state().name());
    if (key.state() == KeyState.PendingDeletion) {
      Json.putDate(metadata, "DeletionDate", key.deletionDate());
    }
    metadata.put("KeyManager", key.awsManaged() ? "AWS" : "CUSTOMER");
    metadata.put("CustomerMasterKeySpec", key.keySpec);
    metadata.put("KeySpec", key.keySpec);
    ArrayNode algorithms = metadata.putArray(switch (key.keyUsage) {
      case KeySpec.Usage.SIGN_VERIFY -> "SigningAlgorithms";
      case KeySpec.Usage.GENERATE_VERIFY_MAC -> "MacAlgorithms";
      case KeySpec.Usage.KEY_AGREEMENT -> "KeyAgreementAlgorithms";
      default -> "EncryptionAlgorithms";
    });
    key.spec.algorithms(key.keyUsage).forEach(algorithms::add);
    KmsImportAndReplicaOperations.describe(key, metadata);
    ObjectNode out = Json.object();
    out.set("KeyMetadata", metadata);
    return out;
  }

  static Map<String, String> tags(ObjectNode in) {
    List<ObjectNode> list = Inputs.objects(in, "Tags");
    Map<String, String> tags = new LinkedHashMap<>();
    for (ObjectNode tag : list) {
      if (tags.put(string(tag, "TagKey"), string(tag, "TagValue")) != null) {
        throw KmsErrors.tag("Duplicate tag keys are not allowed: " + string(tag, "TagKey"));
      }
    }
    return tags;
  }

  private static int limit(ObjectNode in, int defaultLimit, int maxLimit) {
    Integer limit = integer(in, "Limit");
    return limit == null ? defaultLimit : Math.min(limit, maxLimit);
  }

  private static ObjectNode paged(ObjectNode out, KmsBackend.Page<?> page) {
    out.put("Truncated", page.nextMarker() != null);
    if (page.nextMarker() != null) {
      out.put("NextMarker", page.nextMarker());
    }
    return out;
  }


  /** AWS names material only for symmetric keys: an absent member, not a JSON null, for the others. */
  private static void putIfPresent(ObjectNode out, String member, String value) {
    if (value != null) {
      out.put(member, value);
    }
  }

  static void rejectRecipient(ObjectNode in) {
    if (in.has("Recipient") && !in.get("Recipient").isNull()) {
      throw KmsErrors.unsupported("Recipient (Nitro Enclaves attestation) is not supported by Shunt");
    }
  }

  static void dryRun(ObjectNode in) {
    if (flag(in, "DryRun")) {
      throw KmsErrors.dryRun();
    }
  }
}
