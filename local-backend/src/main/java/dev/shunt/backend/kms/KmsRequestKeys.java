package dev.shunt.backend.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.policy.AccessRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The condition keys of a KMS request that depend on its operation, as AWS's "AWS KMS condition
 * keys" lists them: the grant keys of CreateGrant ({@code kms:GrantOperations},
 * {@code kms:GranteePrincipal}, {@code kms:RetiringPrincipal}, {@code kms:GrantConstraintType},
 * the constraint's encryption context), {@code kms:GrantIsForAWSResource}, the tags of CreateKey,
 * TagResource and UntagResource ({@code aws:RequestTag/KEY}, {@code aws:TagKeys}), the key's
 * aliases and multi-Region facts, and one parameter each of Sign, Verify, GenerateMac, VerifyMac,
 * DeriveSharedSecret, GenerateDataKeyPair, ReEncrypt, EnableKeyRotation, ScheduleKeyDeletion,
 * PutKeyPolicy, GetParametersForImport, ImportKeyMaterial, ReplicateKey and UpdatePrimaryRegion.
 *
 * <p>A key is built only when a policy in play reads it ({@link KmsAuthorization.Wanted}); a
 * request parameter with a default counts with its default when the request leaves it out (AWS:
 * "this type of condition works even when the parameter doesn't appear in the request"), except
 * {@code BypassPolicyLockoutSafetyCheck} and {@code ExpirationModel}, whose documented use is a
 * {@code Null} test of the parameter itself.
 */
final class KmsRequestKeys {
  private KmsRequestKeys() {}

  /** What the request keys need beyond the request: the key's aliases, and which key a key id names. */
  interface Lookup {
    /** The alias names ({@code alias/...}) of {@code key}. */
    List<String> aliasesOf(KmsKey key);

    /** The ARN of the key {@code keyId} names, seen from this account and Region, or null (no side effects). */
    String keyArnFor(String accountId, String region, String keyId);
  }

  /** Operations whose encryption algorithm is SYMMETRIC_DEFAULT when a symmetric key does them without naming one. */
  private static final Set<String> ENVELOPE = Set.of("Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo",
      "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
      "GenerateDataKeyPairWithoutPlaintext");

  /**
   * Adds the keys of {@code action} on {@code key} that the policies in play read. {@code input}
   * is the request's (null for a change Shunt makes itself); {@code sourceKeyArn} the key a
   * ReEncrypt decrypted under (for ReEncryptTo), else null.
   */
  static void forKey(AccessRequest.Builder request, KmsAuthorization.Wanted wanted, String action, KmsKey key,
      ObjectNode input, String viaService, String accountId, String region, String sourceKeyArn, Lookup lookup) {
    put(request, wanted, "kms:multiregion", Boolean.toString(key.multiRegion != null));
    if (key.multiRegion != null && wanted.wants("kms:multiregionkeytype")) {
      request.keyLower("kms:multiregionkeytype", key.multiRegion.isPrimary(key) ? "PRIMARY" : "REPLICA");
    }
    put(request, wanted, "kms:customermasterkeyspec", key.keySpec);
    put(request, wanted, "kms:customermasterkeyusage", key.keyUsage);
    if (wanted.wants("kms:resourcealiases")) {
      request.keys("kms:ResourceAliases", lookup.aliasesOf(key));
    }
    if (wanted.wants("kms:encryptionalgorithm") && ENVELOPE.contains(action)
        && key.keySpec.equals(KmsKey.SYMMETRIC_DEFAULT)
        && (input == null || !input.path("EncryptionAlgorithm").isTextual())) {
      // The algorithm used, named or not (AWS: so a policy can require SYMMETRIC_DEFAULT).
      request.keyLower("kms:encryptionalgorithm", KmsKey.SYMMETRIC_DEFAULT);
    }
    switch (action) {
      case "CreateGrant", "ListGrants", "RevokeGrant" -> {
        // An AWS service integrated with KMS calling for the principal: in Shunt, a call that
        // Secrets Manager or Parameter Store makes (viaService), never one over the wire.
        put(request, wanted, "kms:grantisforawsresource", Boolean.toString(viaService != null));
        if (action.equals("CreateGrant") && input != null) {
          createGrant(request, wanted, input);
        }
      }
      case "TagResource" -> requestTags(request, wanted, input);
      case "UntagResource" -> {
        if (input != null && wanted.wants("aws:tagkeys")) {
          request.keys("aws:TagKeys", distinct(texts(input.get("TagKeys"))));
        }
      }
      case "Sign", "Verify" -> {
        put(request, wanted, "kms:signingalgorithm", text(input, "SigningAlgorithm"));
        String type = text(input, "MessageType");
        put(request, wanted, "kms:messagetype", type != null ? type : "RAW");
      }
      case "GenerateMac", "VerifyMac" -> put(request, wanted, "kms:macalgorithm", text(input, "MacAlgorithm"));
      case "DeriveSharedSecret" ->
          put(request, wanted, "kms:keyagreementalgorithm", text(input, "KeyAgreementAlgorithm"));
      case "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext" ->
          put(request, wanted, "kms:datakeypairspec", text(input, "KeyPairSpec"));
      case "ReEncryptFrom" -> {
        put(request, wanted, "kms:encryptionalgorithm", text(input, "SourceEncryptionAlgorithm"));
        if (wanted.wants("kms:reencryptonsamekey")) {
          String destination = text(input, "DestinationKeyId");
          String destinationArn = destination == null ? null : lookup.keyArnFor(accountId, region, destination);
          request.keyLower("kms:reencryptonsamekey", Boolean.toString(key.arn.equals(destinationArn)));
        }
      }
      case "ReEncryptTo" -> {
        put(request, wanted, "kms:encryptionalgorithm", text(input, "DestinationEncryptionAlgorithm"));
        put(request, wanted, "kms:reencryptonsamekey", Boolean.toString(key.arn.equals(sourceKeyArn)));
      }
      case "EnableKeyRotation" -> {
        String days = number(input, "RotationPeriodInDays");
        put(request, wanted, "kms:rotationperiodindays", days != null ? days : "365");
      }
      case "ScheduleKeyDeletion" -> {
        String days = number(input, "PendingWindowInDays");
        put(request, wanted, "kms:schedulekeydeletionpendingwindowindays", days != null ? days : "30");
      }
      case "PutKeyPolicy" -> put(request, wanted, "kms:bypasspolicylockoutsafetycheck",
          bool(input, "BypassPolicyLockoutSafetyCheck"));
      case "GetParametersForImport" -> {
        put(request, wanted, "kms:wrappingalgorithm", text(input, "WrappingAlgorithm"));
        put(request, wanted, "kms:wrappingkeyspec", text(input, "WrappingKeySpec"));
      }
      case "ImportKeyMaterial" -> {
        put(request, wanted, "kms:expirationmodel", text(input, "ExpirationModel"));
        put(request, wanted, "kms:validto", number(input, "ValidTo"));
      }
      case "ReplicateKey" -> put(request, wanted, "kms:replicaregion", text(input, "ReplicaRegion"));
      case "UpdatePrimaryRegion" -> put(request, wanted, "kms:primaryregion", text(input, "PrimaryRegion"));
      default -> { }
    }
  }

  /**
   * CreateKey's keys, from its request (it has no key yet, so only identity policies read them):
   * the spec, usage, origin and multi-Region kind the new key would have, the lockout check's
   * bypass, and the tags.
   */
  static void forCreateKey(AccessRequest.Builder request, KmsAuthorization.Wanted wanted, ObjectNode input) {
    if (input == null) {
      return;
    }
    String spec = text(input, "KeySpec");
    spec = spec != null ? spec : text(input, "CustomerMasterKeySpec");
    spec = spec != null ? spec : KmsKey.SYMMETRIC_DEFAULT;
    put(request, wanted, "kms:keyspec", spec);
    put(request, wanted, "kms:customermasterkeyspec", spec);
    String usage = text(input, "KeyUsage");
    usage = usage != null ? usage : KmsKey.ENCRYPT_DECRYPT;
    put(request, wanted, "kms:keyusage", usage);
    put(request, wanted, "kms:customermasterkeyusage", usage);
    String origin = text(input, "Origin");
    put(request, wanted, "kms:keyorigin", origin != null ? origin : KmsKey.AWS_KMS);
    boolean multiRegion = input.path("MultiRegion").asBoolean(false);
    put(request, wanted, "kms:multiregion", Boolean.toString(multiRegion));
    if (multiRegion) {
      put(request, wanted, "kms:multiregionkeytype", "PRIMARY");
    }
    put(request, wanted, "kms:bypasspolicylockoutsafetycheck", bool(input, "BypassPolicyLockoutSafetyCheck"));
    requestTags(request, wanted, input);
  }

  /** CreateGrant's grant, as the policies see it. */
  private static void createGrant(AccessRequest.Builder request, KmsAuthorization.Wanted wanted, ObjectNode input) {
    if (wanted.wants("kms:grantoperations")) {
      request.keys("kms:GrantOperations", distinct(texts(input.get("Operations"))));
    }
    put(request, wanted, "kms:granteeprincipal", text(input, "GranteePrincipal"));
    put(request, wanted, "kms:retiringprincipal", text(input, "RetiringPrincipal"));
    JsonNode constraints = input.get("Constraints");
    if (constraints == null || !constraints.isObject()) {
      return;
    }
    JsonNode equals = constraints.get("EncryptionContextEquals");
    JsonNode subset = constraints.get("EncryptionContextSubset");
    if (wanted.wants("kms:grantconstrainttype")) {
      List<String> types = new ArrayList<>(2);
      if (equals != null && equals.isObject()) {
        types.add("EncryptionContextEquals");
      }
      if (subset != null && subset.isObject()) {
        types.add("EncryptionContextSubset");
      }
      if (!types.isEmpty()) {
        request.keys("kms:GrantConstraintType", types);
      }
    }
    // CreateGrant has no EncryptionContext: the encryption context keys read the constraint's.
    if (wanted.wantsFamily("kms:encryptioncontext") || wanted.wants("kms:encryptioncontextkeys")) {
      Map<String, String> context = new LinkedHashMap<>();
      pairs(equals, context);
      pairs(subset, context);
      if (!context.isEmpty()) {
        for (Map.Entry<String, String> pair : context.entrySet()) {
          request.key("kms:EncryptionContext:" + pair.getKey(), pair.getValue());
        }
        request.keys("kms:EncryptionContextKeys", new ArrayList<>(context.keySet()));
      }
    }
  }

  /** {@code aws:RequestTag/KEY} and {@code aws:TagKeys} from a request's {@code Tags}. */
  private static void requestTags(AccessRequest.Builder request, KmsAuthorization.Wanted wanted, ObjectNode input) {
    JsonNode tags = input == null ? null : input.get("Tags");
    boolean values = wanted.wantsFamily("aws:requesttag/");
    boolean keys = wanted.wants("aws:tagkeys");
    if (tags == null || !tags.isArray() || !values && !keys) {
      return;
    }
    Set<String> names = new LinkedHashSet<>();
    for (JsonNode tag : tags) {
      JsonNode name = tag.get("TagKey");
      JsonNode value = tag.get("TagValue");
      if (name == null || !name.isTextual()) {
        continue;
      }
      names.add(name.textValue());
      if (values && value != null && value.isTextual()) {
        request.key("aws:RequestTag/" + name.textValue(), value.textValue());
      }
    }
    if (keys) {
      request.keys("aws:TagKeys", new ArrayList<>(names));
    }
  }

  private static void pairs(JsonNode context, Map<String, String> into) {
    if (context == null || !context.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = context.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> pair = it.next();
      into.put(pair.getKey(), pair.getValue().asText());
    }
  }

  private static List<String> texts(JsonNode array) {
    if (array == null || !array.isArray()) {
      return List.of();
    }
    List<String> texts = new ArrayList<>(Math.min(array.size(), 64));
    for (JsonNode item : array) {
      if (item.isTextual()) {
        texts.add(item.textValue());
      }
    }
    return texts;
  }

  private static List<String> distinct(List<String> values) {
    return values.size() < 2 ? values : new ArrayList<>(new LinkedHashSet<>(values));
  }

  private static String text(ObjectNode input, String member) {
    JsonNode value = input == null ? null : input.get(member);
    return value != null && value.isTextual() ? value.textValue() : null;
  }

  /** A number as the policies compare it (integers without a fraction; a timestamp as its epoch seconds). */
  private static String number(ObjectNode input, String member) {
    JsonNode value = input == null ? null : input.get(member);
    if (value == null || !(value.isNumber() || value.isTextual())) {
      return null;
    }
    return value.isIntegralNumber() ? Long.toString(value.longValue()) : value.asText();
  }

  private static String bool(ObjectNode input, String member) {
    JsonNode value = input == null ? null : input.get(member);
    return value != null && value.isBoolean() ? Boolean.toString(value.booleanValue()) : null;
  }

  private static void put(AccessRequest.Builder request, KmsAuthorization.Wanted wanted, String lowerName,
      String value) {
    if (value != null && wanted.wants(lowerName)) {
      request.keyLower(lowerName, value);
    }
  }
}
