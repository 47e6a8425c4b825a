package dev.shunt.backend.quota;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AWS's documented request quotas (requests per second, per account and Region): which quota
 * group each request counts against, and each group's default rate. Group names are
 * {@code service:name}; a group of one operation is named after it ({@code kms:CreateKey}), so
 * an override of {@code kms:Decrypt} gives Decrypt a bucket of its own. Sources are cited in
 * docs/quotas.md; an operation AWS publishes no quota for is not limited.
 */
public final class AwsQuotaTable {
  /** One unit of quota a request uses: a group, how many units, and the Region (null: the request's). */
  public record Charge(String group, int cost, String region) {}

  public static final String KMS_SYMMETRIC = "kms:symmetric";
  public static final String KMS_RSA = "kms:rsa";
  public static final String KMS_ECC = "kms:ecc";
  public static final String KMS_ML_DSA = "kms:ml-dsa";
  public static final String SSM_GET = "ssm:GetParameter";
  public static final String SSM_GET_HIGH = "ssm:GetParameter:high-throughput";
  public static final String SSM_PUT = "ssm:PutParameter";
  public static final String SSM_PUT_HIGH = "ssm:PutParameter:high-throughput";

  private static final Set<String> KMS_SYMMETRIC_OPERATIONS = Set.of("Decrypt", "Encrypt", "GenerateDataKey",
      "GenerateDataKeyWithoutPlaintext", "GenerateMac", "GenerateRandom", "ReEncrypt", "VerifyMac");
  /**
   * The cryptographic operations AWS charges by the key's type: an RSA, ECC (or SM2) or ML-DSA
   * key's request counts against that type's shared quota instead of the operation's own group.
   */
  private static final Set<String> KMS_CHARGED_BY_KEY_SPEC = Set.of("Decrypt", "Encrypt", "ReEncrypt", "Sign",
      "Verify", "DeriveSharedSecret");
  private static final Set<String> TIER_100K = Set.of("us-east-1", "us-west-2", "eu-west-1");
  private static final Set<String> TIER_20K = Set.of("us-east-2", "ap-southeast-1", "ap-southeast-2",
      "ap-northeast-1", "eu-central-1", "eu-west-2");

  /** Default rates of fixed groups (KMS's symmetric group depends on the Region, see {@link #defaultRate}). */
  static final Map<String, Double> RATES = new HashMap<>();
  /** Operation (service:Operation) to its group, where that is not the operation itself. */
  private static final Map<String, String> GROUP_OF = new HashMap<>();

  static {
    for (String op : List.of("CancelKeyDeletion", "ConnectCustomKeyStore", "CreateAlias", "CreateCustomKeyStore",
        "CreateKey", "DeleteCustomKeyStore", "DescribeCustomKeyStores", "DisableKey", "DisableKeyRotation",
        "DisconnectCustomKeyStore", "EnableKey", "GetKeyLastUsage", "ReplicateKey", "RotateKeyOnDemand",
        "UntagResource", "UpdateAlias", "UpdateCustomKeyStore", "UpdateKeyDescription", "UpdatePrimaryRegion")) {
      RATES.put("kms:" + op, 5.0);
    }
    RATES.put("kms:TagResource", 10.0);
    for (String op : List.of("DeleteAlias", "DeleteImportedKeyMaterial", "EnableKeyRotation", "ImportKeyMaterial",
        "PutKeyPolicy", "ScheduleKeyDeletion")) {
      RATES.put("kms:" + op, 15.0);
    }
    for (String op : List.of("CreateGrant", "RetireGrant", "RevokeGrant")) {
      RATES.put("kms:" + op, 50.0);
    }
    for (String op : List.of("ListGrants", "ListKeyPolicies", "ListKeyRotations", "ListRetirableGrants")) {
      RATES.put("kms:" + op, 100.0);
    }
    RATES.put("kms:ListAliases", 500.0);
    RATES.put("kms:ListKeys", 500.0);
    RATES.put("kms:GetKeyPolicy", 1000.0);
    RATES.put("kms:GetKeyRotationStatus", 1000.0);
    RATES.put("kms:DescribeKey", 2000.0);
    RATES.put("kms:GetPublicKey", 2000.0);
    RATES.put("kms:ListResourceTags", 2000.0);
    RATES.put("kms:GetParametersForImport", 1.0);
    for (String spec : List.of("ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
        "ECC_NIST_EDWARDS25519")) {
      RATES.put("kms:GenerateDataKeyPair:" + spec, 100.0);
    }
    // The asymmetric shared quotas, as reference/aws-quotas.md collected them (2026-11).
    RATES.put(KMS_RSA, 1000.0);
    RATES.put(KMS_ECC, 1000.0);
    RATES.put(KMS_ML_DSA, 1000.0);
    RATES.put("kms:GenerateDataKeyPair:RSA_2048", 20.0);
    RATES.put("kms:GenerateDataKeyPair:RSA_3072", 4.0);
    RATES.put("kms:GenerateDataKeyPair:RSA_4096", 1.0);
    RATES.put("kms:GenerateDataKeyPair:SM2", 25.0);

    RATES.put("secretsmanager:GetSecretValue", 10_000.0);
    RATES.put("secretsmanager:DescribeSecret", 40_000.0);
    RATES.put("secretsmanager:BatchGetSecretValue", 100.0);
    RATES.put("secretsmanager:ListSecrets", 100.0);
    group("secretsmanager", "writes", 50, "PutSecretValue", "RemoveRegionsFromReplication",
        "ReplicateSecretToRegions", "StopReplicationToReplica", "UpdateSecret", "UpdateSecretVersionStage");
    group("secretsmanager", "resource-policies", 50, "DeleteResourcePolicy", "GetResourcePolicy",
        "PutResourcePolicy", "ValidateResourcePolicy");
    group("secretsmanager", "rotation", 50, "RotateSecret", "CancelRotateSecret");
    group("secretsmanager", "tags", 50, "TagResource", "UntagResource");
    for (String op : List.of("RestoreSecret", "CreateSecret", "DeleteSecret", "GetRandomPassword",
        "ListSecretVersionIds")) {
      RATES.put("secretsmanager:" + op, 50.0);
    }

    RATES.put(SSM_GET, 40.0);
    RATES.put(SSM_GET_HIGH, 10_000.0);
    RATES.put(SSM_PUT, 3.0);
    RATES.put(SSM_PUT_HIGH, 10.0);
  }

  private AwsQuotaTable() {}

  private static void group(String service, String name, double rate, String... operations) {
    RATES.put(service + ":" + name, rate);
    for (String operation : operations) {
      GROUP_OF.put(service + ":" + operation, service + ":" + name);
    }
  }

  /**
   * The group an operation counts against by default ({@code service} is the signing name:
   * kms, secretsmanager, ssm), or null when AWS publishes no quota for it.
   */
  public static String groupOf(String service, String operation, boolean highThroughput) {
    String key = service + ":" + operation;
    switch (service) {
      case "kms" -> {
        if (KMS_SYMMETRIC_OPERATIONS.contains(operation)) {
          return KMS_SYMMETRIC;
        }
      }
      case "ssm" -> {
        if (operation.equals("GetParameter") || operation.equals("GetParameters")
            || operation.equals("GetParametersByPath")) {
          return highThroughput ? SSM_GET_HIGH : SSM_GET;
        }
        if (operation.equals("PutParameter")) {
          return highThroughput ? SSM_PUT_HIGH : SSM_PUT;
        }
        return null;
      }
      default -> { }
    }
    String group = GROUP_OF.get(key);
    if (group != null) {
      return group;
    }
    return RATES.containsKey(key) ? key : null;
  }

  /** Whether AWS charges this KMS operation by the type of the key it uses. */
  public static boolean chargedByKeySpec(String service, String operation) {
    return service.equals("kms") && KMS_CHARGED_BY_KEY_SPEC.contains(operation);
  }

  /**
   * The shared quota a key spec's cryptographic requests count against, or null when they count
   * by operation (symmetric and HMAC keys: the symmetric group).
   */
  public static String keySpecGroup(String keySpec) {
    if (keySpec == null) {
      return null;
    }
    if (keySpec.startsWith("RSA_")) {
      return KMS_RSA;
    }
    if (keySpec.startsWith("ECC_") || keySpec.equals("SM2")) {
      return KMS_ECC;
    }
    return keySpec.startsWith("ML_DSA_") ? KMS_ML_DSA : null;
  }

  /**
   * The key a request charged by key spec names: KeyId, or for ReEncrypt the source key if the
   * request names one (an asymmetric ciphertext must), else the destination.
   */
  public static String keyIdOf(String operation, ObjectNode input) {
    if (input == null) {
      return null;
    }
    JsonNode key = operation.equals("ReEncrypt") ? input.get("SourceKeyId") : input.get("KeyId");
    if ((key == null || !key.isTextual()) && operation.equals("ReEncrypt")) {
      key = input.get("DestinationKeyId");
    }
    return key != null && key.isTextual() ? key.textValue() : null;
  }

  /**
   * The extra charges AWS's counting rules add for a few operations: GenerateDataKeyPair counts
   * against its key pair spec's quota, ReplicateKey costs two CreateKey in the replica Region,
   * UpdatePrimaryRegion counts in the new primary Region too.
   */
  public static List<Charge> extraCharges(String service, String operation, ObjectNode input) {
    if (!service.equals("kms")) {
      return List.of();
    }
    switch (operation) {
      case "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext" -> {
        JsonNode spec = input.get("KeyPairSpec");
        return spec != null && spec.isTextual() && RATES.containsKey("kms:GenerateDataKeyPair:" + spec.textValue())
            ? List.of(new Charge("kms:GenerateDataKeyPair:" + spec.textValue(), 1, null)) : List.of();
      }
      case "ReplicateKey" -> {
        JsonNode region = input.get("ReplicaRegion");
        return region != null && region.isTextual() ? List.of(new Charge("kms:CreateKey", 2, region.textValue()))
            : List.of();
      }
      case "UpdatePrimaryRegion" -> {
        JsonNode region = input.get("PrimaryRegion");
        return region != null && region.isTextual()
            ? List.of(new Charge("kms:UpdatePrimaryRegion", 1, region.textValue())) : List.of();
      }
      default -> {
        return List.of();
      }
    }
  }

  /** AWS's default rate of a group in a Region (KMS's symmetric quota depends on the Region). */
  public static double defaultRate(String group, String region) {
    if (group.equals(KMS_SYMMETRIC)) {
      return TIER_100K.contains(region) ? 100_000 : TIER_20K.contains(region) ? 20_000 : 10_000;
    }
    Double rate = RATES.get(group);
    return rate == null ? Double.POSITIVE_INFINITY : rate;
  }

  /** Every group with a fixed default, for reports. */
  public static Map<String, Double> rates() {
    return Map.copyOf(RATES);
  }
}
